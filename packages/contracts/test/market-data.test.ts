import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContracts } from '../src/index.js';
import { fixture } from './helpers.js';

const good = { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843, ts: '2026-11-21T10:00:00.000Z' };

test('loads the market-data contract and ignores files that are not AsyncAPI', async () => {
  const set = await loadContracts(fixture('market'));
  assert.deepEqual(set.sources, [fixture('market/market-data.yaml')]);
  const ch = set.channel('market.ticks');
  assert.ok(ch);
  assert.equal(ch.address, 'market.ticks');
  assert.equal(ch.id, 'ticks');
  assert.equal(ch.file, fixture('market/market-data.yaml'));
  assert.deepEqual(ch.messageTypes, ['tick']);
  assert.equal(ch.description, 'Best bid and ask per currency pair.');
  assert.deepEqual(ch.extensions, { mode: 'durable', retention: { max_messages: 100000, max_age: '7d' } });
  assert.equal(ch.message('tick')?.summary, 'One price update.');
  assert.equal(ch.message('tick')?.validated, true);
  assert.equal(set.channel('market.quotes'), undefined);
  assert.equal(set.channels().length, 1);
  assert.deepEqual(set.warnings, []);
});

test('a good tick passes', async () => {
  const set = await loadContracts(fixture('market'));
  assert.equal(set.validate('market.ticks', 'tick', good), undefined);
});

test('a tick with a string bid gives the exact detail', async () => {
  const set = await loadContracts(fixture('market'));
  const v = set.validate('market.ticks', 'tick', { ...good, bid: '1.0841' });
  assert.deepEqual(v, {
    message: 'market.ticks/tick: /bid must be number (got string)',
    details: [{ path: '/bid', rule: 'type', expected: 'number', message: '/bid must be number (got string)' }],
  });
});

test('a missing property is reported at its own path', async () => {
  const set = await loadContracts(fixture('market'));
  const { bid: _bid, ...noBid } = good;
  const v = set.validate('market.ticks', 'tick', noBid);
  assert.deepEqual(v?.details, [{ path: '/bid', rule: 'required', expected: 'bid', message: '/bid is required' }]);
});

test('every failing field is listed, with pattern, format and additional properties', async () => {
  const set = await loadContracts(fixture('market'));
  const v = set.validate('market.ticks', 'tick', { symbol: 'eurusd', bid: '1.08', ts: 'yesterday', extra: 1 });
  assert.ok(v);
  assert.deepEqual(
    v.details.map(({ path, rule, expected }) => ({ path, rule, expected })),
    [
      { path: '/ask', rule: 'required', expected: 'ask' },
      { path: '/extra', rule: 'additionalProperties', expected: ['symbol', 'bid', 'ask', 'ts'] },
      { path: '/symbol', rule: 'pattern', expected: '^[A-Z]{6}$' },
      { path: '/bid', rule: 'type', expected: 'number' },
      { path: '/ts', rule: 'format', expected: 'date-time' },
    ],
  );
  assert.equal(
    v.message,
    'market.ticks/tick: /ask is required; /extra is not allowed (allowed: symbol, bid, ask, ts); ' +
      '/symbol must match ^[A-Z]{6}$ (got "eurusd"); /bid must be number (got string); /ts must be a valid date-time (got "yesterday")',
  );
});

test('a payload of the wrong type is reported at the empty path', async () => {
  const set = await loadContracts(fixture('market'));
  assert.deepEqual(set.validate('market.ticks', 'tick', [1, 2]), {
    message: 'market.ticks/tick: payload must be object (got array)',
    details: [{ path: '', rule: 'type', expected: 'object', message: 'payload must be object (got array)' }],
  });
});

test('a channel without a contract accepts anything', async () => {
  const set = await loadContracts(fixture('market'));
  assert.equal(set.validate('market.quotes', 'quote', 'anything'), undefined);
});

test('the contract objects are read-only', async () => {
  const set = await loadContracts(fixture('market'));
  const ch = set.channel('market.ticks')!;
  assert.throws(() => (ch.messageTypes as string[]).push('x'));
  assert.throws(() => {
    (ch.extensions as { mode?: string }).mode = 'ephemeral';
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContractDocuments, loadContracts } from '../src/index.js';
import { fixture, oneChannel } from './helpers.js';

test('an undeclared type is a violation with rule "type" at the empty path listing the accepted types', async () => {
  const set = await loadContracts(fixture('market'));
  assert.deepEqual(set.validate('market.ticks', 'quote', { bid: 1 }), {
    message: 'market.ticks/quote: unknown message type "quote"; market.ticks accepts "tick"',
    details: [{ path: '', rule: 'type', expected: ['tick'], message: 'unknown message type "quote"; market.ticks accepts "tick"' }],
  });
});

test('a channel that declares no messages refuses every type and says so', () => {
  const set = loadContractDocuments([{ file: 'c.yaml', text: oneChannel('  silent:\n    address: audit.silent\n') }]);
  const v = set.validate('audit.silent', 'entry', {});
  assert.ok(v);
  assert.deepEqual(v.details[0]?.expected, []);
  assert.match(v.message, /^audit\.silent\/entry: the contract of audit\.silent declares no message types/);
});

test('a message without a payload accepts any data, and its name is the type', () => {
  const set = loadContractDocuments([
    {
      file: 'c.yaml',
      text: oneChannel(`  pings:
    address: ops.pings
    messages:
      p:
        name: ping
      pong: {}
`),
    },
  ]);
  assert.deepEqual(set.channel('ops.pings')?.messageTypes, ['ping', 'pong']);
  assert.equal(set.validate('ops.pings', 'ping', { any: ['thing'] }), undefined);
  assert.equal(set.channel('ops.pings')?.message('ping')?.validated, false);
  assert.equal(set.validate('ops.pings', 'p', {})?.details[0]?.rule, 'type');
});

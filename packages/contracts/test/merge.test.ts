import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContractDocuments, loadContracts } from '../src/index.js';
import { fixture, loadError, oneChannel } from './helpers.js';

const tick = (bidType: string) => `  ticks:
    address: market.ticks
    messages:
      tick:
        payload:
          type: object
          properties:
            bid: { type: ${bidType} }
`;

test('two documents declaring one address merge their message types', async () => {
  const set = await loadContracts(fixture('multi-file'));
  const ch = set.channel('shop.orders');
  assert.ok(ch);
  assert.deepEqual(ch.messageTypes, ['order.placed', 'order.cancelled']);
  assert.equal(ch.file, fixture('multi-file/services/billing.json'));
  assert.deepEqual(ch.declarations, [
    { file: fixture('multi-file/services/billing.json'), id: 'orders', pointer: '/channels/orders' },
    { file: fixture('multi-file/services/shop.yaml'), id: 'orders', pointer: '/channels/orders' },
  ]);
  assert.equal(set.channels().length, 1);
  assert.equal(set.validate('shop.orders', 'order.cancelled', { orderId: 'o-1', reason: 'changed my mind' }), undefined);
});

test('the same type with an identical schema in two documents is one type', () => {
  const set = loadContractDocuments([
    { file: 'a.yaml', text: oneChannel(tick('number')) },
    { file: 'b.yaml', text: oneChannel(tick('number')) },
  ]);
  assert.deepEqual(set.channel('market.ticks')?.messageTypes, ['tick']);
  assert.equal(set.channel('market.ticks')?.declarations.length, 2);
});

test('schemas are compared after following $refs, wherever the definitions live', () => {
  const viaRef = oneChannel(
    `  ticks:
    address: market.ticks
    messages:
      tick:
        payload: { $ref: '#/components/schemas/Tick' }
`,
    'components:\n  schemas:\n    Tick:\n      type: object\n      properties:\n        bid: { type: number }\n',
  );
  const set = loadContractDocuments([
    { file: 'a.yaml', text: oneChannel(tick('number')) },
    { file: 'b.yaml', text: viaRef },
  ]);
  assert.deepEqual(set.channel('market.ticks')?.messageTypes, ['tick']);
});

test('the same type with two different payload schemas is a load error naming both files', () => {
  const err = loadError(() =>
    loadContractDocuments([
      { file: 'contracts/a.yaml', text: oneChannel(tick('number')) },
      { file: 'contracts/b.yaml', text: oneChannel(tick('string')) },
    ]),
  );
  assert.equal(err.file, 'contracts/b.yaml');
  assert.equal(err.pointer, '/channels/ticks/messages/tick/payload');
  assert.equal(
    err.problem,
    'message type "tick" of channel "market.ticks" has a different payload schema here than in contracts/a.yaml:10 at #/channels/ticks/messages/tick/payload',
  );
  assert.match(err.message, /^contracts\/b\.yaml:10:9 at #\/channels\/ticks\/messages\/tick\/payload: .*contracts\/a\.yaml/);
  assert.match(err.fix, /make the two payload schemas identical/);
});

test('two messages of one channel with the same name but different payloads are refused', () => {
  const err = loadError(() =>
    loadContractDocuments([
      {
        file: 'c.yaml',
        text: oneChannel(`  ticks:
    address: market.ticks
    messages:
      a: { name: tick, payload: { type: object } }
      b: { name: tick, payload: { type: string } }
`),
      },
    ]),
  );
  assert.equal(err.pointer, '/channels/ticks/messages/b/payload');
});

test('parameter names do not matter: rooms.{id} and rooms.{roomId} are one channel', () => {
  const room = (param: string, type: string) =>
    oneChannel(`  room:
    address: rooms.{${param}}
    messages:
      ${type}: {}
`);
  const set = loadContractDocuments([
    { file: 'a.yaml', text: room('id', 'chat') },
    { file: 'b.yaml', text: room('roomId', 'typing') },
  ]);
  assert.equal(set.channels().length, 1);
  assert.deepEqual(set.channel('rooms.r1')?.messageTypes, ['chat', 'typing']);
  assert.equal(set.channel('rooms.r1')?.address, 'rooms.{id}');
});

test('x-switchboard is merged when it agrees, refused when two documents disagree', () => {
  const ch = (ext: string) =>
    oneChannel(`  ticks:
    address: market.ticks
${ext}`);
  const agree = loadContractDocuments([
    { file: 'a.yaml', text: ch('') },
    { file: 'b.yaml', text: ch('    x-switchboard: { mode: durable }\n') },
    { file: 'c.yaml', text: ch('    x-switchboard: { mode: durable }\n') },
  ]);
  assert.deepEqual(agree.channel('market.ticks')?.extensions, { mode: 'durable' });
  const err = loadError(() =>
    loadContractDocuments([
      { file: 'a.yaml', text: ch('    x-switchboard: { mode: durable }\n') },
      { file: 'b.yaml', text: ch('    x-switchboard: { mode: ephemeral }\n') },
    ]),
  );
  assert.equal(err.file, 'b.yaml');
  assert.equal(err.pointer, '/channels/ticks/x-switchboard');
  assert.match(err.problem, /differs from the one in a\.yaml at #\/channels\/ticks\/x-switchboard/);
});

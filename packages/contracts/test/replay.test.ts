import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReplay, loadContractDocuments } from '../src/index.js';
import { oneChannel } from './helpers.js';

const set = loadContractDocuments([
  {
    file: 'c.yaml',
    text: oneChannel(`  ticks:
    address: market.ticks
    messages:
      tick: { payload: { type: object, required: [bid], properties: { bid: { type: number } } } }`),
  },
]);

test('counts refusals per channel, type and producer, with the failing fields and a sample', () => {
  const replay = createReplay(set);
  replay.add({ ch: 'market.ticks', type: 'tick', source: 'bridge', seq: 1, data: { bid: 1 } });
  replay.add({ ch: 'market.ticks', type: 'tick', source: 'bridge', seq: 2, data: {} });
  replay.add({ ch: 'market.ticks', type: 'tick', source: 'bridge', seq: 3, data: { bid: 'x' } });
  replay.add({ ch: 'market.ticks', type: 'tick', source: 'bridge', seq: 4, data: {} });
  replay.add({ ch: 'market.ticks', type: 'quote', source: 'other', seq: 5, data: {} });
  replay.add({ ch: 'orders.new', type: 'order', source: 'shop', seq: 1, data: 'anything' });
  replay.channel('empty.channel');
  const report = replay.report();
  assert.equal(report.checked, 6);
  assert.equal(report.refused, 4);
  const [ticks, orders, empty] = report.channels;
  assert.deepEqual(
    ticks!.groups.map((g) => [g.type, g.source, g.checked, g.refused]),
    [
      ['tick', 'bridge', 4, 3],
      ['quote', 'other', 1, 1],
    ],
  );
  assert.deepEqual(ticks!.groups[0]!.fields, [
    { path: '/bid', rule: 'required', count: 2 },
    { path: '/bid', rule: 'type', count: 1 },
  ]);
  assert.deepEqual(ticks!.groups[0]!.sample, { seq: 2, message: 'market.ticks/tick: /bid is required' });
  assert.match(ticks!.groups[1]!.sample!.message, /unknown message type "quote"/);
  assert.deepEqual([orders!.declared, orders!.refused], [false, 0], 'no contract: the hub accepts anything');
  assert.deepEqual([empty!.ch, empty!.checked, empty!.groups], ['empty.channel', 0, []]);
});

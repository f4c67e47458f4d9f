import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContractDocuments } from '../src/index.js';
import { loadError, oneChannel } from './helpers.js';

const set = () =>
  loadContractDocuments([
    {
      file: 'c.yaml',
      text: oneChannel(`  room:
    address: rooms.{roomId}
    messages:
      chat: { payload: { type: object, required: [text] } }
  roomStatus:
    address: rooms.lobby
    messages:
      status: {}
  feed:
    address: feeds.{region}.{kind}
    parameters:
      kind:
        enum: [prices, news]
    messages:
      item: {}
  legacy:
    messages:
      old: {}
  topic:
    address: /topics/{topic}/events
    messages:
      event: {}
`),
    },
  ]);

test('a {param} matches exactly one segment', () => {
  const s = set();
  assert.equal(s.channel('rooms.r42')?.address, 'rooms.{roomId}');
  assert.deepEqual(s.channel('rooms.r42')?.parameters, ['roomId']);
  assert.equal(s.channel('rooms'), undefined);
  assert.equal(s.channel('rooms.r42.extra'), undefined);
  assert.equal(s.channel('xrooms.r42'), undefined);
});

test('an exact address wins over a parameterised one', () => {
  assert.equal(set().channel('rooms.lobby')?.address, 'rooms.lobby');
});

test('a parameter with an enum matches only those values', () => {
  const s = set();
  assert.equal(s.channel('feeds.eu.prices')?.address, 'feeds.{region}.{kind}');
  assert.equal(s.channel('feeds.eu.weather'), undefined);
});

test('a parameter never matches across "/" or a reserved $ name', () => {
  const s = set();
  assert.equal(s.channel('/topics/a1/events')?.address, '/topics/{topic}/events');
  assert.equal(s.channel('/topics/a/b/events'), undefined);
  assert.equal(s.channel('$dlq.rooms.r42'), undefined);
});

test('a channel without address is named by its key', () => {
  assert.deepEqual(set().channel('legacy')?.messageTypes, ['old']);
});

test('validation applies to the concrete channel and names it', () => {
  const v = set().validate('rooms.r42', 'chat', {});
  assert.equal(v?.message, 'rooms.r42/chat: /text is required');
});

test('the most specific parameterised address wins', () => {
  const s = loadContractDocuments([
    {
      file: 'c.yaml',
      text: oneChannel(`  any:
    address: '{a}.{b}.events'
    messages: { x: {} }
  orders:
    address: 'orders.{b}.events'
    messages: { y: {} }
`),
    },
  ]);
  assert.equal(s.channel('orders.eu.events')?.address, 'orders.{b}.events');
  assert.equal(s.channel('users.eu.events')?.address, '{a}.{b}.events');
});

test('a parameter declared but not in the address, or a bad enum, is a load error', () => {
  const e1 = loadError(() =>
    loadContractDocuments([{ file: 'c.yaml', text: oneChannel('  r:\n    address: rooms.{id}\n    parameters:\n      roomId: {}\n') }]),
  );
  assert.equal(e1.pointer, '/channels/r/parameters/roomId');
  assert.equal(e1.fix, 'add {roomId} to the address or remove the parameter');
  const e2 = loadError(() =>
    loadContractDocuments([{ file: 'c.yaml', text: oneChannel('  r:\n    address: rooms.{id}\n    parameters:\n      id: { enum: [1, 2] }\n') }]),
  );
  assert.equal(e2.pointer, '/channels/r/parameters/id/enum');
});

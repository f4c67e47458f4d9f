// Ephemeral channels (config `channels: {"rtc.>": {mode: ephemeral}}`): delivered live, never stored, seq
// still increasing; `from: earliest` gets only what is published after the subscription.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type HubProcess } from '../../../test/support/hub-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { fixture, history, publishMany, quietFor, subscribe } from './fixtures/delivery-support.js';

describe('ephemeral channels', () => {
  let hub: HubProcess;
  let publisher: RawClient;
  const clients: RawClient[] = [];
  async function connect(component: string): Promise<RawClient> {
    const { client } = await RawClient.connect(hub.wsUrl, component);
    clients.push(client);
    return client;
  }

  before(async () => {
    hub = await startHub({ config: fixture('ephemeral.yaml') });
    publisher = await connect('presenter');
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await hub.cleanup();
  });

  it('delivers live to every subscriber, with increasing seq, and stores nothing', async () => {
    const ch = 'rtc.room.1';
    const a = await connect('attendee-a');
    const b = await connect('attendee-b');
    const subA = (await subscribe(a, { ch })).sub;
    const subB = (await subscribe(b, { ch: 'rtc.>' })).sub;
    const seqs = await publishMany(publisher, ch, 25, { window: 1, type: 'ice', data: (i) => ({ candidate: i }) });
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seq increases: ${seqs.join(',')}`);
    const gotA = await a.messages(subA, 25);
    const gotB = await b.messages(subB, 25);
    assert.deepEqual(gotA.map((f) => f.msg.seq), seqs, 'each message reaches subscriber A once, in order');
    assert.deepEqual(gotB.map((f) => f.msg.seq), seqs, 'and the pattern subscriber B');
    assert.deepEqual(gotA.map((f) => f.msg.data.candidate), Array.from({ length: 25 }, (_, i) => i));
    assert.equal(gotA[0].msg.ch, ch);
    assert.equal(gotA[0].msg.type, 'ice');

    assert.deepEqual(await history(hub.url, ch), [], 'HTTP history of an ephemeral channel is empty');
    const res = await fetch(`${hub.url}/v1/channels/${ch}/messages?from=0`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { messages: unknown[] }).messages, []);
  });

  it('gives a from:"earliest" (or from:0) subscriber only messages published after it subscribed', async () => {
    const ch = 'rtc.room.2';
    const before = await publishMany(publisher, ch, 5, { window: 1 });
    const c = await connect('late-joiner');
    const earliest = await subscribe(c, { ch, from: 'earliest' });
    const zero = await subscribe(c, { ch, from: 0 });
    assert.deepEqual(await quietFor(c, earliest.sub, 300), [], 'nothing from before the subscription');
    assert.deepEqual(c.drain((f) => f.op === 'msg' && f.sub === zero.sub), []);
    const after = await publishMany(publisher, ch, 3, { window: 1 });
    assert.ok(after[0]! > before[4]!, 'seq keeps increasing');
    assert.deepEqual((await c.messages(earliest.sub, 3)).map((f) => f.msg.seq), after);
    assert.deepEqual((await c.messages(zero.sub, 3)).map((f) => f.msg.seq), after);
    assert.deepEqual(await quietFor(c, earliest.sub, 200), []);
  });
});

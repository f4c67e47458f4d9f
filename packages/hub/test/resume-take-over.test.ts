// A client whose network changed reconnects at once, while its old socket is still open for the hub (half-open,
// not yet noticed by the heartbeat). Its `resume` takes the session over: the old connection is closed with 4409,
// and the new one continues its durable subscription, document and presence membership with no gap, no leave and
// no join.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { sleep } from '../../../test/support/util.js';
import type { Envelope } from '@switchboard/protocol';

describe('resume of a session whose old connection is still open', () => {
  const fx = useHub();

  it('takes the session over: the old connection is closed with 4409, everything continues on the new one', async () => {
    const watcher = await fx.connect('presenter-ui');
    assert.equal((await watcher.call({ op: 'sub', ch: 'room.t1', presence: true, info: { name: 'Ada' } })).op, 'ok');
    await watcher.next((f) => f.op === 'join');
    const publisher = await fx.connect('presenter-ui');

    const { client: old, welcome } = await fx.session('attendee-ui');
    const ticks = await old.call({ op: 'sub', ch: 'ticks.t1', from: 0, ack: 'manual' });
    assert.equal((await old.call({ op: 'sub', ch: 'room.t1', info: { name: 'Bob' } })).op, 'ok');
    assert.equal((await old.call({ op: 'doc.sub', doc: 'board/t1' })).version, 0);
    await watcher.next((f) => f.op === 'join' && f.member.info.name === 'Bob');
    for (const n of [1, 2]) assert.equal((await publisher.call({ op: 'pub', ch: 'ticks.t1', type: 'tick', data: { n } })).op, 'ok');
    const [first] = await old.messages(ticks.sub, 2);
    assert.equal((await old.call({ op: 'ack', sub: ticks.sub, seq: first.msg.seq })).op, 'ok');

    const closed = new Promise<number>((resolve) => old.ws.once('close', (code) => resolve(code)));
    const { client: next, welcome: w2 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.equal(await closed, 4409, 'the old connection is closed with 4409');
    assert.equal(w2.resumed, true);
    assert.equal(w2.session, welcome.session);
    assert.deepEqual(w2.docs, [{ doc: 'board/t1', version: 0 }]);
    const again = await next.messages<Envelope<{ n: number }>>(ticks.sub, 1);
    assert.equal(again[0].msg.data.n, 2, 'the unacknowledged message comes again; the acknowledged one does not');

    assert.equal((await publisher.call({ op: 'pub', ch: 'ticks.t1', type: 'tick', data: { n: 3 } })).op, 'ok');
    assert.equal((await next.messages<Envelope<{ n: number }>>(ticks.sub, 1))[0].msg.data.n, 3, 'and live messages follow on the new connection');
    assert.equal((await publisher.call({ op: 'doc.update', doc: 'board/t1', ops: [{ op: 'add', path: '', value: { slide: 1 } }] })).version, 1);
    assert.equal((await next.next((f) => f.op === 'doc.patch')).version, 1, 'document patches too');
    const members = await watcher.call({ op: 'presence', ch: 'room.t1' });
    assert.deepEqual(
      members.members.map((m) => m.info.name),
      ['Ada', 'Bob'],
    );
    await sleep(100);
    assert.deepEqual(
      watcher.drain((f) => f.op === 'join' || f.op === 'leave'),
      [],
      'the others saw no leave and no join',
    );
  });

  it('does not let another component take a session over', async () => {
    const { client: owner, welcome } = await fx.session('attendee-ui');
    const { welcome: w2 } = await fx.session('someone-else', { resume: welcome.session });
    assert.equal(w2.resumed, false);
    assert.notEqual(w2.session, welcome.session);
    assert.equal((await owner.call({ op: 'ping' })).op, 'pong', 'the owner keeps its connection');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';

describe('presence', () => {
  const fx = useHub();

  it('lists the members of a channel and sends join and leave (unsub, disconnect) to presence watchers', async () => {
    const host = await fx.connect('presenter-ui', { info: { name: 'Ada', role: 'speaker' } });
    const w = await host.call({ op: 'sub', id: 1, ch: 'session.42', presence: true });
    assert.equal(w.op, 'ok', JSON.stringify(w));
    const selfJoin = await host.next((f) => f.op === 'join');
    assert.equal(selfJoin.member.component, 'presenter-ui');
    assert.deepEqual(selfJoin.member.info, { name: 'Ada', role: 'speaker' });

    const { client: guest, welcome } = await fx.session('attendee-ui');
    const gs = await guest.call({ op: 'sub', id: 1, ch: 'session.42', info: { name: 'Bob' } });
    assert.equal(gs.op, 'ok');
    const join = await host.next((f) => f.op === 'join');
    assert.equal(join.ch, 'session.42');
    assert.equal(join.member.component, 'attendee-ui');
    assert.equal(join.member.session, welcome.session);
    assert.deepEqual(join.member.info, { name: 'Bob' });
    assert.ok(!Number.isNaN(Date.parse(join.member.since)));

    const list = await guest.call({ op: 'presence', id: 2, ch: 'session.42' });
    assert.deepEqual(
      list.members.map((m) => m.component),
      ['presenter-ui', 'attendee-ui'],
    );

    await guest.call({ op: 'unsub', id: 3, sub: gs.sub });
    const leave = await host.next((f) => f.op === 'leave');
    assert.deepEqual([leave.ch, leave.member.session], ['session.42', welcome.session]);

    const { client: other, welcome: w2 } = await fx.session('attendee-2');
    await other.call({ op: 'sub', id: 1, ch: 'session.42' });
    assert.equal((await host.next((f) => f.op === 'join')).member.session, w2.session);
    await other.close();
    const gone = await host.next((f) => f.op === 'leave', 10_000);
    assert.equal(gone.member.session, w2.session);
    const after = await host.call({ op: 'presence', id: 4, ch: 'session.42' });
    assert.deepEqual(
      after.members.map((m) => m.component),
      ['presenter-ui'],
    );
  });

  it('does not send join/leave to subscribers without "presence": true, and refuses wildcards and big info', async () => {
    const quiet = await fx.connect('quiet');
    await quiet.call({ op: 'sub', id: 1, ch: 'room.quiet' });
    const other = await fx.connect('other');
    await other.call({ op: 'sub', id: 1, ch: 'room.quiet' });
    assert.equal((await quiet.call({ op: 'ping', id: 2 })).op, 'pong');
    assert.deepEqual(
      quiet.drain((f) => f.op === 'join'),
      [],
    );
    const r = await quiet.call({ op: 'presence', id: 3, ch: 'room.*' });
    assert.equal(r.code, 'UNKNOWN_CHANNEL');
    const big = await quiet.call({ op: 'sub', id: 4, ch: 'room.big', info: { blob: 'x'.repeat(2000) } });
    assert.equal(big.code, 'TOO_LARGE');
    assert.match(big.message, /max_presence_info_bytes/);
  });
});

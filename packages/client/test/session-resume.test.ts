import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type WelcomeFrame } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { proxyFor, Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test(
  'resumed session after a dropped TCP connection: manual subscriptions are taken back under their ids; auto ones are unsubscribed and made again; no gap, no duplicate',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const proxy = await proxyFor(t, hub.current.port);
    const wire = new Wire();
    const c = await closing(
      t,
      connect({ url: proxy.wsUrl, component: 'sdk-resumed', WebSocket: wire.WebSocket, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } }),
    );
    const pub = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-resumed-pub' }));
    const welcomes: WelcomeFrame[] = [];
    c.on('welcome', (w) => welcomes.push(w));
    const manualGot: number[] = [];
    const autoGot: number[] = [];
    const manual = await c.subscribe<number>('rs.manual', {
      ack: 'manual',
      onMessage: (m) => {
        manualGot.push(m.data);
      },
    });
    const auto = await c.subscribe<number>('rs.auto', {
      ack: 'auto',
      onMessage: (m) => {
        autoGot.push(m.data);
      },
    });
    assert.deepEqual([manual.id, auto.id], ['s1', 's2']);
    for (let i = 1; i <= 3; i++) {
      await pub.publish('rs.manual', 'n', i);
      await pub.publish('rs.auto', 'n', i);
    }
    await waitFor(() => manualGot.length === 3 && autoGot.length === 3 && manual.lastSeq() === 3, 'three each, acknowledged');
    const session = c.session;

    proxy.cut(); // the TCP connection drops; the hub keeps running and parks the session
    await waitFor(() => welcomes.length === 1 && c.state === 'connected', 'reconnected');
    assert.equal(welcomes[0]!.resumed, true);
    assert.equal(c.session, session);
    assert.equal(wire.frames('hello')[1].resume, session);
    await waitFor(() => wire.frames('sub').length === 3 && auto.id !== '', 'the auto subscription made again and accepted');
    assert.equal(manual.id, 's1', 'taken back under its id');
    const redone = wire.sent.filter((f) => f.conn > 1 && (f.frame.op === 'sub' || f.frame.op === 'unsub')).map((f) => f.frame);
    assert.deepEqual(
      redone.map((f) => (f.op === 'sub' ? `sub ${f.ch} from ${f.from}` : `unsub ${f.sub}`)),
      ['unsub s2', 'sub rs.auto from 3'],
      'the restored auto subscription is unsubscribed before the new one is made',
    );
    assert.equal(auto.id, 's3');

    for (let i = 4; i <= 6; i++) {
      await pub.publish('rs.manual', 'n', i);
      await pub.publish('rs.auto', 'n', i);
    }
    await waitFor(() => manualGot.length >= 6 && autoGot.length >= 6, 'six each');
    await sleep(100);
    assert.deepEqual(manualGot, range(1, 6));
    assert.deepEqual(autoGot, range(1, 6));
    await waitFor(() => manual.lastSeq() === 6, 'acknowledged on the restored subscription');
  },
);

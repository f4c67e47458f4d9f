import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';
import type { WireFrame } from '../../../test/support/raw-client.js';

interface Probe {
  ws: WebSocket;
  frames: WireFrame[];
  closed: Promise<{ code: number; at: number }>;
}

/** A socket that answers WebSocket pings only when `autoPong` is on, and sends nothing unless told. */
async function open(url: string, autoPong: boolean): Promise<Probe> {
  const ws = new WebSocket(url, 'switchboard.v1', { autoPong });
  const frames: WireFrame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}
/** The close of `p`, or code -1 when it stays open for `ms`. */
function closedWithin(p: Probe, ms: number): Promise<{ code: number; at: number }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ code: number; at: number }>((resolve) => {
    timer = setTimeout(() => resolve({ code: -1, at: 0 }), ms);
  });
  return Promise.race([p.closed, timeout]).finally(() => clearTimeout(timer));
}
const hello = (p: Probe, component: string) => p.ws.send(JSON.stringify({ op: 'hello', id: 1, component }));

describe('heartbeat', () => {
  const fx = useHub({ config: fixture('heartbeat-300ms.yaml') });
  const probes: Probe[] = [];
  fx.onCleanup(() => {
    for (const p of probes) p.ws.terminate();
  });

  it('announces heartbeat_ms from the config', async () => {
    const p = await open(fx.hub.wsUrl, true);
    probes.push(p);
    hello(p, 'hb-welcome');
    await waitFor(() => p.frames.length > 0, 'the answer to hello');
    assert.equal(p.frames[0]?.op, 'welcome');
    assert.equal(p.frames[0].heartbeat_ms, 300);
  });

  it('closes a silent client with 4408 after about 2 × heartbeat, with or without hello', async () => {
    const [greeted, mute] = await Promise.all([open(fx.hub.wsUrl, false), open(fx.hub.wsUrl, false)]);
    probes.push(greeted, mute);
    hello(greeted, 'hb-silent');
    const lastFrame = Date.now();
    const [a, b] = await Promise.all([closedWithin(greeted, 4000), closedWithin(mute, 4000)]);
    assert.equal(a.code, 4408);
    assert.equal(b.code, 4408, 'a socket that never says hello is dropped too');
    const after = a.at - lastFrame;
    assert.ok(after >= 550 && after < 2000, `closed ${after} ms after the last frame (2 × 300 ms expected)`);
  });

  it("keeps a client that pings, and one whose WebSocket layer answers the hub's pings (browsers do)", async () => {
    const [pinger, autoPong] = await Promise.all([open(fx.hub.wsUrl, false), open(fx.hub.wsUrl, true)]);
    probes.push(pinger, autoPong);
    hello(pinger, 'hb-pinger');
    hello(autoPong, 'hb-autopong');
    let n = 0;
    const timer = setInterval(() => pinger.ws.send(JSON.stringify({ op: 'ping', id: `p${++n}` })), 150);
    try {
      await sleep(1300);
    } finally {
      clearInterval(timer);
    }
    assert.equal(pinger.ws.readyState, WebSocket.OPEN, 'the pinging client is open after 4 × heartbeat');
    assert.equal(autoPong.ws.readyState, WebSocket.OPEN, 'the auto-pong client is open after 4 × heartbeat');
    assert.ok(pinger.frames.filter((f) => f.op === 'pong').length >= 6);
    pinger.ws.send(JSON.stringify({ op: 'pub', id: 'after', ch: 'hb.ch', type: 't', data: 1 }));
    await waitFor(() => pinger.frames.some((f) => f.re === 'after'), 'the answer to the publish');
    assert.equal(pinger.frames.find((f) => f.re === 'after')?.op, 'ok');
  });
});

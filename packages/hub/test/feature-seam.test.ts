// A part of the hub added through the feature seam alone: its socket op, HTTP route, per-connection state that a
// parked session keeps for resume, and its stop hook — with no edit of the core.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { CLIENT_OPS, SwitchboardError } from '@switchboard/protocol';
import { createHub, createSqliteStore, defaultConfig, type Hub, type HubFeature, type ParkedFeatureState } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';

/** A tally per connection (`tally.add`), readable over HTTP, kept across a resume. */
function tallyFeature(events: string[]): HubFeature {
  class ParkedTally implements ParkedFeatureState {
    constructor(readonly total: number) {}
    release(): void {
      events.push(`released ${this.total}`);
    }
  }
  const totals = new Map<string, number>();
  return {
    name: 'tally',
    register(host) {
      host.connection({
        ops: ['tally.add'],
        open(conn) {
          let total = 0;
          return {
            check(op, frame) {
              if (op === 'hello' && frame.tally_refuse === true) throw new SwitchboardError('FORBIDDEN', 'tally refuses this hello');
            },
            ready: () => events.push(`ready ${conn.identity().component}`),
            handle(op, frame) {
              if (typeof frame.n !== 'number') throw new SwitchboardError('BAD_FRAME', '"n" must be a number');
              total += frame.n;
              totals.set(conn.session(), total);
              return { total };
            },
            subscribed: (sub) => events.push(`subscribed ${sub.pattern}`),
            unsubscribed: (id) => events.push(`unsubscribed ${id}`),
            park: (lost) => (events.push(`parked lost=${lost}`), new ParkedTally(total)),
            async resume(parked) {
              total = (parked as ParkedTally).total;
              return { welcome: { tally: total }, activate: () => events.push('activated') };
            },
          };
        },
      });
      host.route({
        path: /^\/v1\/tally\/([^/]+)$/,
        methods: ['GET'],
        hint: 'use GET to read a tally',
        async handle(ctx) {
          await ctx.identify();
          ctx.json(200, { total: totals.get(decodeURIComponent(ctx.params[0]!)) ?? 0 });
        },
      });
      host.onClose(() => void events.push('closed'));
    },
  };
}

async function startHub(features: HubFeature[]): Promise<{ hub: Hub; url: string; ws: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-feature-'));
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  let hub: Hub;
  try {
    hub = createHub({ config: { ...defaultConfig(), auth: { dev: true } }, store, logger: pino({ level: 'silent' }), features });
  } catch (err) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = await hub.listen(0);
  return { hub, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/v1/ws` };
}

describe('feature seam', () => {
  it('a feature answers its own op, route and hooks, and a parked session gives its state back on resume', async () => {
    const events: string[] = [];
    const { hub, url, ws } = await startHub([tallyFeature(events)]);

    const early = await RawClient.open(ws);
    assert.equal((await early.call({ op: 'tally.add', n: 1 })).code, 'UNAUTHENTICATED', 'a feature op waits for welcome like every op');
    assert.equal((await early.call({ op: 'hello', component: 'x', tally_refuse: true })).code, 'FORBIDDEN', 'check() can refuse a hello');
    await early.close();

    const { client, welcome } = await RawClient.connect(ws, 'counter');
    assert.deepEqual(events, ['ready counter']);
    assert.equal((await client.call({ op: 'tally.add', n: 2 })).total, 2);
    assert.equal((await client.call({ op: 'tally.add', n: 3 })).total, 5);
    const bad = await client.call({ op: 'tally.add', n: 'x' });
    assert.equal(bad.code, 'BAD_FRAME');
    assert.equal((await client.call({ op: 'tally.nope' })).code, 'UNKNOWN_OP');
    const sub = await client.call({ op: 'sub', ch: 'tally.events' });
    assert.equal((await client.call({ op: 'unsub', sub: sub.sub })).op, 'ok');
    assert.deepEqual(events.slice(1), ['subscribed tally.events', `unsubscribed ${sub.sub}`]);

    const read = await fetch(`${url}/v1/tally/${welcome.session}`);
    assert.deepEqual(await read.json(), { total: 5 });
    const wrong = await fetch(`${url}/v1/tally/${welcome.session}`, { method: 'POST' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
    assert.match(((await wrong.json()) as { message: string }).message, /use GET to read a tally/);

    client.ws.terminate();
    await waitUntil(() => events.includes('parked lost=true'));
    const again = await RawClient.connect(ws, 'counter', { resume: welcome.session });
    assert.equal(again.welcome.resumed, true);
    assert.equal(again.welcome.tally, 5, 'the welcome carries what the feature gave back');
    await waitUntil(() => events.includes('activated'));
    assert.equal((await again.client.call({ op: 'tally.add', n: 1 })).total, 6);
    await again.client.close();
    await hub.close();
    assert.ok(events.includes('closed'), 'onClose runs when the hub stops');
  });

  it('every client op of the protocol is answered by the core or a built-in feature, and no other op is', async () => {
    const { ws } = await startHub([]);
    const { client } = await RawClient.connect(ws, 'ops');
    for (const op of CLIENT_OPS) {
      const answer = await client.call({ op });
      assert.notEqual(answer.code, 'UNKNOWN_OP', `${op} is in the protocol but the hub does not know it`);
    }
    const unknown = await client.call({ op: 'doc.delete' });
    assert.equal(unknown.code, 'UNKNOWN_OP');
    assert.match(unknown.message, new RegExp(`known ops: ${CLIENT_OPS.join(', ').replace(/\./g, '\\.')}$`));
    await client.close();
  });

  it('a feature may not take an op or a route that is already taken', async () => {
    const takes = (op: string): HubFeature => ({ name: `takes-${op}`, register: (host) => host.connection({ ops: [op], open: () => ({}) }) });
    for (const op of ['pub', 'doc.sub']) {
      await assert.rejects(
        startHub([takes(op)]),
        new RegExp(`feature "takes-${op.replace('.', '\\.')}" registers op "${op.replace('.', '\\.')}", which is already taken`),
      );
    }
    const route: HubFeature = { name: 'docs-again', register: (host) => host.route({ path: /^\/v1\/docs\/(.+)$/, hint: '', handle: async () => {} }) };
    await assert.rejects(startHub([route]), /registers route .*already taken/);
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

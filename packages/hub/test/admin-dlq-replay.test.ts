// The operator's loop of issue 11: a message refused by the contract waits in $dlq.<ch>; the contract is fixed and
// reloaded; the dead letter is replayed, and a subscriber receives it exactly once, with its original id and the
// publisher's exact payload text; replaying it again publishes nothing and says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quietFor, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { captureText, frameText } from '../../../test/support/exact-json.js';
import { contractsDir, post, ticks } from '../../../test/support/reload-contracts.js';

/** A tick without the `venue` the strict contract requires, with digits no double holds and white space of its own. */
const DATA = '{"symbol": "EURUSD", "bid": 1.08410000000000001, "qty": 123456789012345678901234567890}';
const META = '{"correlation_id": "c-7", "trace_seq": 9007199254740993}';

/** The parts of the admin answers (a page of dead letters, a replay) these tests read. */
interface Answer {
  depth: number;
  entries: {
    seq: number;
    id: string;
    original_ch: string;
    source: string;
    code: string;
    msg_id: string | null;
    reason: string;
    details: unknown;
    replay: { state: string; by: string; channel_seq: number } | null;
  }[];
  results: { seq: number; status: string; channel_seq?: number; code?: string; message: string }[];
  replayed: number;
  refused: number;
  not_found: number;
  more: boolean;
  message: string;
}

async function admin(url: string, path: string, body?: unknown): Promise<{ status: number; body: Answer }> {
  const res = await fetch(url + path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('dead-letter replay after a contract fix', () => {
  const contracts = contractsDir(true);
  const fx = useHub({ contracts: contracts.dir });

  it('delivers each fixed message once, with its original id and exact text; a second replay is a no-op', async () => {
    const engine = await fx.connect('core-engine');
    const texts = captureText(engine);
    const { sub } = await subscribe(engine, { ch: 'market.ticks' });
    const bridge = await fx.connect('data-bridge');
    bridge.send(frameText({ op: 'pub', id: 1, ch: 'market.ticks', type: 'tick', msg_id: 'tick-0001' }, DATA, META));
    assert.equal((await bridge.next((f) => f.re === 1)).code, 'CONTRACT_VIOLATION');
    bridge.send(frameText({ op: 'pub', id: 2, ch: 'market.ticks', type: 'tick' }, '{"symbol": "GBPUSD"}'));
    assert.equal((await bridge.next((f) => f.re === 2)).code, 'CONTRACT_VIOLATION');

    const listed = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.depth, 2);
    const [first, second] = listed.body.entries as [Answer['entries'][0], Answer['entries'][0]];
    assert.deepEqual(
      [first.seq, first.original_ch, first.source, first.code, first.msg_id, first.replay],
      [1, 'market.ticks', 'data-bridge', 'CONTRACT_VIOLATION', 'tick-0001', null],
    );
    assert.match(first.reason, /venue/);
    assert.ok(Array.isArray(first.details) && first.details.length > 0, JSON.stringify(first.details));
    assert.equal(second.msg_id, null);

    // Still refused by the contract in force: the entry stays, no second dead letter is written.
    const early = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks/replay', { seqs: [1] });
    assert.equal(early.status, 200, JSON.stringify(early.body));
    assert.deepEqual([early.body.refused, early.body.results[0].status, early.body.results[0].code], [1, 'refused', 'CONTRACT_VIOLATION']);
    assert.match(early.body.results[0].message, /venue/);
    assert.equal((await admin(fx.hub.url, '/v1/admin/dlq/market.ticks')).body.depth, 2);

    contracts.write(ticks(false));
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 200);
    const replay = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks/replay', { all: true });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.deepEqual(
      replay.body.results.map((r) => [r.seq, r.status, r.channel_seq]),
      [
        [1, 'replayed', 1],
        [2, 'replayed', 2],
      ],
    );
    assert.deepEqual([replay.body.replayed, replay.body.refused, replay.body.more], [2, 0, false]);

    const one = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`) && t.includes('"seq":1,'));
    assert.ok(one.includes('"data":' + DATA), `exact data text: ${one}`);
    assert.ok(one.includes('"meta":' + META), `exact meta text, without dlq: ${one}`);
    const env = JSON.parse(one).msg;
    assert.deepEqual([env.id, env.source, env.type, env.ch], ['tick-0001', 'data-bridge', 'tick', 'market.ticks']);
    const two = JSON.parse(await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`) && t.includes('"seq":2,'))).msg;
    assert.equal(two.id, second.id, 'without a msg_id of its own, the dead letter keeps its id');
    assert.equal(two.meta, undefined);

    assert.deepEqual(
      engine.drain((f) => f.op === 'msg' && f.sub === sub).map((f) => f.msg.seq),
      [1, 2],
      'each delivered once',
    );
    const again = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks/replay', { all: true });
    assert.deepEqual(
      again.body.results.map((r) => [r.seq, r.status, r.channel_seq]),
      [
        [1, 'already_replayed', 1],
        [2, 'already_replayed', 2],
      ],
    );
    assert.match(again.body.results[0].message, /nothing was published again/);
    assert.deepEqual(await quietFor(engine, sub, 300), [], 'nothing more was delivered');
    const history = await fx.history('market.ticks');
    assert.deepEqual(
      history.map((m) => m.id),
      ['tick-0001', second.id],
    );
    const marked = (await admin(fx.hub.url, '/v1/admin/dlq/market.ticks')).body.entries;
    assert.deepEqual(
      marked.map((e) => [e.replay?.state, e.replay?.by, e.replay?.channel_seq]),
      [
        ['replayed', 'http', 1],
        ['replayed', 'http', 2],
      ],
    );
  });

  it('answers not_found for a seq that is not in the log, and 400 for a body that names none', async () => {
    const r = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks/replay', { seqs: [999] });
    assert.deepEqual([r.status, r.body.results[0].status, r.body.not_found], [200, 'not_found', 1]);
    const bad = await admin(fx.hub.url, '/v1/admin/dlq/market.ticks/replay', { seqs: 'all' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /\{"seqs":\[n, …\]\}.*\{"all":true\}/);
  });
});

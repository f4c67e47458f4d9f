// Malformed input (100k frames in the soak, 15k in the short form): random bytes as binary and as text frames,
// truncated JSON, JSON that is not an object, every field of every op with a value of the wrong type (from the
// protocol's op list), unknown ops, `__proto__`/`constructor` keys and names, invalid UTF-8, 10,000-level
// nesting, frames over the size limit, hellos with wrong fields, ops before hello. The hub never crashes, every
// frame that can be answered is answered with its code (in order, for frames without an id), and a
// well-behaved client on the same hub sees no error, gets every message, and keeps a reasonable latency
// (reported, not asserted: the machine may be loaded).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isErrorCode, type FrameId } from '@switchboard/protocol';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RawClient, type WireFrame } from '../support/raw-client.js';
import { subscribe } from '../support/hub-fixture.js';
import { bySoak, now, percentile, printCounts, Receiver } from '../support/load.js';
import { waitFor, sleep } from '../support/util.js';
import {
  ATTACKER_SUB,
  ATTACKER_SUB_CH,
  FAMILIES,
  makeFrame,
  OP_FIELDS,
  seededRandom,
  undescribedOps,
  wrongTypeCases,
  type FuzzFrame,
} from './malformed-frames.js';

const FRAMES = bySoak(15_000, 100_000);
const DEEP_FRAMES = bySoak(30, 200);
const OVERSIZE_FRAMES = bySoak(4, 20);
/** Frames over the hard limit, each on a socket of its own (closed with 1009, never answered). */
const HUGE_FRAMES = 2;
const BATCH = 250;
const SEED = Number(process.env.SWITCHBOARD_FUZZ_SEED ?? 20261130);
const MiB = 1024 * 1024;
const config = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'malformed-input.yaml');

/** Answers tallied by code (or op), and the answers that were not among the acceptable ones. */
interface Tally {
  byCode: Map<string, number>;
  wrong: string[];
  answered: number;
}

/**
 * Sends frames on `client` in batches, matching each answer to its frame: by `re` for frames with an id, in
 * order for the others. Resolves when every frame is answered; fails on a missing answer.
 */
async function sendAndCheck(client: RawClient, frames: Iterable<FuzzFrame>, tally: Tally): Promise<number> {
  const byId = new Map<FrameId, FuzzFrame>();
  const inOrder: FuzzFrame[] = [];
  const note = (frame: FuzzFrame, answer: string, raw: WireFrame) => {
    tally.answered++;
    tally.byCode.set(answer, (tally.byCode.get(answer) ?? 0) + 1);
    if (!frame.expect.includes(answer))
      tally.wrong.push(`${frame.kind} ${String(frame.payload).slice(0, 160)} → ${JSON.stringify(raw).slice(0, 300)} (expected ${frame.expect.join(' or ')})`);
    if (raw.op === 'err' && (!isErrorCode(raw.code) || typeof raw.message !== 'string' || raw.message.length < 10))
      tally.wrong.push(`err without a registered code and a message: ${JSON.stringify(raw).slice(0, 300)}`);
  };
  const untap = client.tap(
    () => true,
    (f) => {
      if (f.re !== undefined && byId.has(f.re)) {
        const frame = byId.get(f.re)!;
        byId.delete(f.re);
        return note(frame, f.op === 'err' ? f.code : f.op, f);
      }
      const frame = inOrder.shift();
      if (!frame) return void tally.wrong.push(`an answer nobody asked for: ${JSON.stringify(f).slice(0, 300)}`);
      note(frame, f.op === 'err' ? f.code : `${f.op} (without re)`, f);
    },
  );
  let sent = 0;
  let batch: FuzzFrame[] = [];
  const flush = async () => {
    for (const f of batch) {
      if (f.id !== undefined) byId.set(f.id, f);
      else inOrder.push(f);
      if (f.binary) client.ws.send(f.payload, { binary: true });
      else client.ws.send(f.payload, { binary: false });
      sent++;
    }
    batch = [];
    await waitFor(
      () => byId.size === 0 && inOrder.length === 0,
      () =>
        `an answer to every frame: ${byId.size + inOrder.length} frames got no answer within 30 s, e.g. ${[...byId.values(), ...inOrder]
          .slice(0, 3)
          .map((f) => String(f.payload).slice(0, 120))
          .join(' | ')}`,
      30_000,
    );
  };
  for (const f of frames) {
    batch.push(f);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  untap();
  return sent;
}

describe('malformed input', () => {
  let hub: HubProcess | undefined;
  after(async () => hub?.cleanup());

  it(`answers each of ${FRAMES} malformed frames with its code and never disturbs a well-behaved client`, async () => {
    assert.deepEqual(undescribedOps(), [], 'every op of the protocol has its fields described in malformed-frames.ts');
    hub = await startHub({ config });
    const tally: Tally = { byCode: new Map(), wrong: [], answered: 0 };

    // The well-behaved client: publishes (acked) every 10 ms and receives its own messages.
    const good = (await RawClient.connect(hub.wsUrl, 'fuzz-good')).client;
    const goodErrors: WireFrame[] = [];
    const rx = new Receiver(0);
    good.tap(
      (f) => f.op === 'err',
      (f) => goodErrors.push(f),
    );
    good.tap(
      (f) => f.op === 'msg',
      (f) => rx.onMessage(f.msg),
    );
    await subscribe(good, { ch: 'rel.fuzz.good', from: 0 });
    const latency = { baseline: [] as number[], attack: [] as number[] };
    let phase: keyof typeof latency = 'baseline';
    let goodPublished = 0;
    let goodAcked = 0;
    let running = true;
    const goodLoop = (async () => {
      while (running) {
        const t0 = now();
        goodPublished++;
        const reply = await good.call({ op: 'pub', ch: 'rel.fuzz.good', type: 'tick', data: { t: t0 } }, 30_000);
        if (reply.op === 'ok') goodAcked++;
        else goodErrors.push(reply);
        latency[phase].push(now() - t0);
        await sleep(10);
      }
    })();
    await sleep(1_000);
    phase = 'attack';
    const started = now();

    // Hellos with a field of the wrong type, each on a socket of its own; then ops before hello.
    const wrong = wrongTypeCases();
    let nextId = 1;
    const helloFrames = wrong
      .filter((c) => c.op === 'hello')
      .map((c) => {
        const { payload, id } = c.frame(nextId++);
        return { kind: `wrong-type hello.${c.field}`, payload, id, expect: ['BAD_FRAME'] } satisfies FuzzFrame;
      });
    for (const f of helloFrames) {
      const fresh = await RawClient.open(hub.wsUrl);
      await sendAndCheck(fresh, [f], tally);
      await fresh.close();
    }
    const early = await RawClient.open(hub.wsUrl);
    const beforeHello: FuzzFrame[] = Object.entries(OP_FIELDS)
      .filter(([op]) => op !== 'hello' && op !== 'ping')
      .map(([op, { base }]) => ({ kind: `${op} before hello`, payload: JSON.stringify({ ...base, id: nextId }), id: nextId++, expect: ['UNAUTHENTICATED'] }));
    await sendAndCheck(early, beforeHello, tally);
    await early.close();

    // The main stream, on one connection that said hello and holds one manual-ack subscription.
    const attacker = (await RawClient.connect(hub.wsUrl, 'fuzz-attacker')).client;
    const s1 = await subscribe(attacker, { ch: ATTACKER_SUB_CH, ack: 'manual' });
    assert.equal(s1.sub, ATTACKER_SUB);
    const rnd = seededRandom(SEED);
    const others = wrong.filter((c) => c.op !== 'hello');
    const families = FAMILIES.flatMap(([kind, weight]) => Array<string>(weight).fill(kind));
    function* stream(): Generator<FuzzFrame> {
      let w = 0;
      for (let i = 0; i < FRAMES - DEEP_FRAMES - OVERSIZE_FRAMES - HUGE_FRAMES - helloFrames.length - beforeHello.length; i++) {
        const kind = families[i % families.length]!;
        const id = nextId++;
        if (kind === 'wrong-type') {
          const c = others[w++ % others.length]!;
          const f = c.frame(id);
          yield { kind: `wrong-type ${c.op}.${c.field}`, payload: f.payload, id: f.id, expect: ['BAD_FRAME'] };
        } else yield makeFrame(kind, id, rnd);
      }
      for (let i = 0; i < DEEP_FRAMES; i++) yield makeFrame('deep', nextId++, rnd);
      for (let i = 0; i < OVERSIZE_FRAMES; i++) {
        const size = MiB + 1 + Math.floor(rnd() * 2 * MiB);
        yield { kind: 'oversize', payload: `{"op":"pub","id":${nextId++},"ch":"rel.fuzz.big","type":"t","data":"${'x'.repeat(size)}"}`, expect: ['TOO_LARGE'] };
      }
    }
    const streamed = await sendAndCheck(attacker, stream(), tally);

    // Frames over the hard limit (4 × max_frame_bytes) close their socket with 1009.
    const closes: number[] = [];
    for (let i = 0; i < HUGE_FRAMES; i++) {
      const victim = (await RawClient.connect(hub.wsUrl, 'fuzz-huge')).client;
      const closed = new Promise<number>((resolve) => victim.ws.once('close', (code) => resolve(code)));
      victim.send(`{"op":"pub","ch":"rel.fuzz.huge","type":"t","data":"${'y'.repeat(4 * MiB + 1)}"}`);
      closes.push(await closed);
    }
    const attackMs = now() - started;

    // The well-behaved client keeps going a moment, then stops; the hub is alive and well.
    await sleep(500);
    running = false;
    await goodLoop;
    const delivered = await waitFor(() => rx.last >= goodAcked, 'the good messages delivered', { timeoutMs: 10_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    const health = await fetch(`${hub.url}/healthz`);
    const alive = hub.child.exitCode === null && hub.child.signalCode === null;
    const afterAttack = await attacker.call({ op: 'ping' });
    await attacker.close();
    await good.close();

    const frames = helloFrames.length + beforeHello.length + streamed + closes.length;
    const codes = Object.fromEntries([...tally.byCode].sort((a, b) => b[1] - a[1]).map(([k, v]) => [`answers_${k.replace(/\W+/g, '_')}`, v]));
    console.log(
      `the well-behaved client: pub→ok p50 ${percentile(latency.baseline, 0.5).toFixed(1)} / p99 ${percentile(latency.baseline, 0.99).toFixed(1)} ms before, ` +
        `p50 ${percentile(latency.attack, 0.5).toFixed(1)} / p99 ${percentile(latency.attack, 0.99).toFixed(1)} ms (max ${percentile(latency.attack, 1).toFixed(1)}) during the attack (${(frames / (attackMs / 1000)).toFixed(0)} bad frames/s)`,
    );
    const firstOfKind = new Map<string, string>();
    for (const w of tally.wrong) if (!firstOfKind.has(w.split(' ')[1]!)) firstOfKind.set(w.split(' ')[1]!, w);
    for (const w of firstOfKind.values()) console.log(`unexpected: ${w}`);
    printCounts('malformed-input', {
      published: goodPublished,
      acknowledged: goodAcked,
      delivered: rx.delivered,
      lost: rx.missing + Math.max(0, goodAcked - rx.last),
      duplicated: rx.duplicates,
      frames,
      answered: tally.answered,
      unanswerable_closed_1009: closes.filter((c) => c === 1009).length,
      unexpected_answers: tally.wrong.length,
      ...codes,
      good_errors: goodErrors.length,
      good_p99_before_ms: percentile(latency.baseline, 0.99),
      good_p99_during_ms: percentile(latency.attack, 0.99),
      seed: SEED,
    });

    assert.ok(alive, 'the hub process is still running');
    assert.equal(health.status, 200, 'the hub answers /healthz');
    assert.equal(afterAttack.op, 'pong', 'the attacking connection itself still works');
    assert.equal(frames, FRAMES, 'the planned number of frames was sent');
    assert.deepEqual(tally.wrong, [], 'every frame got an acceptable answer');
    assert.equal(tally.answered, frames - closes.length, 'every frame that can be answered was answered');
    assert.deepEqual(closes, Array(HUGE_FRAMES).fill(1009), 'frames over the hard limit close the socket with 1009');
    assert.deepEqual(goodErrors, [], 'the well-behaved client saw no error');
    assert.equal(goodAcked, goodPublished);
    assert.ok(delivered, `the well-behaved client received its messages (at ${rx.last} of ${goodAcked})`);
    assert.deepEqual(rx.gaps, []);
  });
});

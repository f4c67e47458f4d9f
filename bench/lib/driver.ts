/** Runs one scenario against one target: fresh server, clients in this process, measured window, record. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Publisher, Target } from '../targets/types.js';
import { deliveryFigures, measureWindow, serverFigures } from './window.js';
import { Collector, makePayload, nowUs } from './stats.js';
import { runIdle } from './idle.js';
import { runDocument } from './doc.js';
import { runPolyglot } from './polyglot.js';

export type { ScenarioKind, Scenario, RunOptions, RunResult, IdleFigures } from './run-types.js';
import type { RunOptions, RunResult, Scenario } from './run-types.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runOne(sc: Scenario, target: Target, repeat: number, o: RunOptions): Promise<RunResult> {
  const tmp = mkdtempSync(join(tmpdir(), `sb-bench-${target.id}-`));
  const session = await target.start(tmp);
  if (sc.kind === 'idle' || sc.kind === 'doc' || sc.kind === 'polyglot') {
    try {
      if (sc.kind === 'polyglot') return await runPolyglot(sc, target, session, repeat, o);
      return sc.kind === 'idle'
        ? await runIdle(sc, target, session, repeat, Math.min(sc.connections ?? o.idleConnections, o.idleConnections))
        : await runDocument(sc, target, session, repeat, o);
    } finally {
      await session.stop().catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const pid = session.server.pid;
  const col = new Collector(Math.max(1, sc.subscribers));
  const topic = 't';
  let sent = 0;
  let running = true;
  let pub: Publisher | undefined;
  const sendOne = () => {
    pub!.send(makePayload(sent++, nowUs()));
  };
  let ackErrors = 0;
  /** One acked publish; in the closed loop (`again`) each ack sends the next one. */
  const sendAcked = (again: boolean) => {
    const t = nowUs();
    sent++;
    pub!.sendAcked!(makePayload(sent - 1, t), (err) => {
      if (err) {
        ackErrors++;
      } else col.ack(t);
      if (again && running) sendAcked(true);
    });
  };
  try {
    // subscribers first (in batches, so 100+ connections do not stampede the server), then the publisher
    const closed = sc.kind === 'max';
    for (let i = 0; i < sc.subscribers; i += 20) {
      const batch = [];
      for (let j = i; j < Math.min(sc.subscribers, i + 20); j++) {
        batch.push(
          session.subscriber(topic, (n, t) => {
            col.deliver(j, n, t);
            if (closed && running) sendOne();
          }),
        );
      }
      await Promise.all(batch);
    }
    pub = await session.publisher(topic);
    await sleep(100);

    let timer: NodeJS.Timeout | undefined;
    let refill: NodeJS.Timeout | undefined;
    if (sc.kind === 'rate' || sc.kind === 'acked-rate') {
      if (sc.kind === 'acked-rate' && !pub.sendAcked) throw new Error(`${target.id} has no acked publish`);
      const send = sc.kind === 'rate' ? sendOne : () => sendAcked(false);
      const start = performance.now();
      const rate = sc.rate!;
      timer = setInterval(() => {
        const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
        for (let i = 0; i < due; i++) send();
      }, 1);
    } else if (sc.kind === 'max') {
      const w = sc.window!;
      for (let i = 0; i < w; i++) sendOne();
      // a message lost on the way would shrink the window for good: top it up
      refill = setInterval(() => {
        const gap = w - (sent - (col.received - col.duplicates));
        for (let i = 0; i < gap; i++) sendOne();
      }, 50);
    } else {
      if (!pub.sendAcked) throw new Error(`${target.id} has no acked publish`);
      for (let i = 0; i < sc.window!; i++) sendAcked(true);
    }

    await sleep(o.warmupMs);
    const sent0 = sent;
    const w = await measureWindow(pid, o.durationMs, [col]);
    const sentWindow = sent - sent0;

    running = false;
    if (timer) clearInterval(timer);
    if (refill) clearInterval(refill);
    // drain: wait for what is still on the way, up to drainMs
    const expectedOf = () => (sc.kind === 'acked' || sc.kind === 'acked-rate' ? sent : sent * sc.subscribers);
    const drainEnd = performance.now() + o.drainMs;
    while (col.received + ackErrors - col.duplicates < expectedOf() && performance.now() < drainEnd) await sleep(20);
    const server = serverFigures(pid, w);
    const serverCounters = (await session.counters?.().catch(() => undefined)) ?? {};
    const expected = expectedOf();
    const distinct = col.received - col.duplicates;
    const notes: string[] = [];
    const r: RunResult = {
      scenario: sc.id,
      target: target.id,
      label: sc.labels?.[target.id] ?? target.label,
      repeat,
      ...deliveryFigures(col, w, sentWindow),
      subscribers: sc.subscribers,
      sent,
      expected,
      lost: Math.max(0, expected - distinct - ackErrors),
      server,
      generator: w.generator,
      notes,
      serverCounters,
      errors: [...session.errors(), ...(ackErrors ? [`${ackErrors} acked publishes refused`] : [])],
    };
    if ((sc.kind === 'rate' || sc.kind === 'acked-rate') && r.sentPerSec < sc.rate! * 0.95) notes.push(`generator sent ${r.sentPerSec}/s of ${sc.rate}/s`);
    if (r.generator.elu > 0.9) notes.push(`generator event loop ${Math.round(r.generator.elu * 100)} % busy: figure may be generator-bound`);
    const dropped = serverCounters.switchboard_ephemeral_dropped_total ?? 0;
    if (dropped > 0) notes.push(`hub dropped ${dropped} ephemeral deliveries (subscriber send buffer over max_buffered_bytes)`);
    if (r.lost > 0) notes.push(`${r.lost} of ${expected} not delivered within ${o.drainMs} ms after the end`);
    return r;
  } finally {
    running = false;
    await session.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

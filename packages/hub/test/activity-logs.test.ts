// What the hub logs (pino JSON lines) about connections, refusals and store outages: enough to see what happens,
// never a line per message — 5,000 refused publishes make a handful of lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { useHub } from '../../../test/support/hub-fixture.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** The JSON log lines a hub wrote so far (its output also holds the start-up banner). */
function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const INFO = 30;
const WARN = 40;

describe('connection open and close lines', () => {
  const fx = useHub({ logLevel: 'debug' });

  it('info lines with component, session, version and remote address; a socket gone before hello at debug', async () => {
    const { client, welcome } = await RawClient.connect(fx.hub.wsUrl, 'log-engine', { version: '2.3.4' });
    await waitFor(() => logLines(fx.hub.output()).some((l) => l.msg.startsWith('connection open')), 'open line');
    await client.close();
    await waitFor(() => logLines(fx.hub.output()).some((l) => l.msg.startsWith('connection closed: log-engine')), 'closed line');
    const silent = await RawClient.open(fx.hub.wsUrl);
    await silent.close();
    await waitFor(() => logLines(fx.hub.output()).some((l) => l.msg === 'connection closed before hello'), 'pre-hello line');

    const lines = logLines(fx.hub.output());
    const open = lines.find((l) => l.msg.startsWith('connection open'))!;
    assert.equal(open.level, INFO);
    assert.equal(open.msg, 'connection open: log-engine 2.3.4');
    assert.equal(open.component, 'log-engine');
    assert.equal(open.session, welcome.session);
    assert.equal(open.version, '2.3.4');
    assert.match(String(open.remote), /^127\.0\.0\.1:\d+$/);
    const closed = lines.find((l) => l.msg.startsWith('connection closed: log-engine'))!;
    assert.equal(closed.level, INFO);
    assert.equal(closed.session, welcome.session);
    assert.equal(closed.remote, open.remote);
    assert.equal(closed.lost, false, 'closed by the client, not lost');
    assert.equal(typeof closed.duration_ms, 'number');
    const early = lines.find((l) => l.msg === 'connection closed before hello')!;
    assert.equal(early.level, 20);
    assert.match(String(early.remote), /^127\.0\.0\.1:\d+$/);
  });
});

describe('refusals at a high rate', () => {
  const fx = useHub({ logLevel: 'info', config: fixture('strict-channels.yaml') });

  it('5,000 refused publishes (UNKNOWN_CHANNEL, BAD_FRAME) make one line at once and one summary line, with the count and the top codes and channels', async (t) => {
    const { client: c, welcome } = await fx.session('log-flooder');
    const session = welcome.session;
    const before = logLines(fx.hub.output()).length;
    let refused = 0;
    c.tap(
      (f) => f.op === 'err',
      () => refused++,
    );
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) {
      if (i % 10 === 9) c.send('{"op":"pub",');
      else c.send({ op: 'pub', ch: i % 3 === 0 ? 'undeclared.b' : 'undeclared.a', type: 't', data: { i }, meta: { correlation_id: `order-${i}` } });
    }
    await waitFor(
      () => refused === 5000,
      () => `5000 refusals, got ${refused}`,
      20_000,
    );
    const burstMs = performance.now() - t0;
    await fx.closeClients();
    await fx.hub.stop(); // flushes the summary of the interval in progress

    const lines = logLines(fx.hub.output()).slice(before);
    const refusalLines = lines.filter((l) => l.msg.startsWith('refused'));
    t.diagnostic(`${refused} refusals in ${burstMs.toFixed(0)} ms → ${refusalLines.length} refusal log lines (${lines.length} log lines in all)`);
    for (const l of refusalLines) t.diagnostic(JSON.stringify(l));
    assert.ok(refusalLines.length <= 5, `a handful of lines, not one per refusal: ${refusalLines.length}`);
    const first = refusalLines[0]!;
    assert.equal(first.level, INFO);
    assert.equal(first.code, 'UNKNOWN_CHANNEL');
    assert.equal(first.ch, 'undeclared.b');
    assert.equal(first.component, 'log-flooder');
    assert.equal(first.session, session, 'the line names the session');
    assert.equal(first.correlation_id, 'order-0', "the line carries the refused message's meta.correlation_id");
    assert.match(String(first.reason), /undeclared\.b/);
    const summaries = refusalLines.slice(1);
    assert.ok(summaries.length >= 1);
    const total = 1 + summaries.reduce((n, l) => n + Number(l.refused), 0);
    assert.equal(total, 5000, 'every refusal is counted once');
    const codes: Record<string, number> = {};
    const channels: Record<string, number> = {};
    for (const l of summaries) {
      for (const [k, v] of Object.entries(l.codes as Record<string, number>)) codes[k] = (codes[k] ?? 0) + v;
      for (const [k, v] of Object.entries(l.channels as Record<string, number>)) channels[k] = (channels[k] ?? 0) + v;
    }
    assert.deepEqual(codes, { UNKNOWN_CHANNEL: 4499, BAD_FRAME: 500 });
    assert.deepEqual(channels, { 'undeclared.a': 3000, 'undeclared.b': 1499 });
    assert.match(summaries[0]!.msg, /^refused \d+ more frames or requests \(UNKNOWN_CHANNEL \d+, BAD_FRAME \d+\)$/);
  });
});

describe('a store outage and its recovery', () => {
  const fx = useHub({ logLevel: 'info' });

  it('one warning when writes start failing, nothing per failed publish, one info line when they succeed again', async () => {
    const post = () =>
      fetch(`${fx.hub.url}/v1/channels/outage.log/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 't', data: {} }),
      });
    assert.equal((await post()).status, 201);
    const before = logLines(fx.hub.output()).length;
    const other = new Database(join(fx.hub.dataDir, 'switchboard.db'));
    try {
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock: every commit fails (SQLITE_BUSY)
      for (let i = 0; i < 3; i++) assert.equal((await post()).status, 503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal((await post()).status, 201);
    const lines = logLines(fx.hub.output())
      .slice(before)
      .filter((l) => l.msg.startsWith('sqlite store'));
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[0]!.level, WARN);
    assert.match(lines[0]!.msg, /^sqlite store: writes fail, appends are refused with UNAVAILABLE until they succeed again \(.*SQLITE_BUSY/);
    assert.equal(lines[0]!.path, join(fx.hub.dataDir, 'switchboard.db'));
    assert.equal(lines[0]!.sqlite, 'SQLITE_BUSY');
    assert.equal(lines[1]!.level, INFO);
    assert.match(lines[1]!.msg, /^sqlite store: writes succeed again after \d+ ms$/);
    assert.ok(Number(lines[1]!.failures) >= 3);
  });
});

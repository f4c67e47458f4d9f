import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliAsync, tempFiles } from './support/cli.js';
import { parseJunit } from './support/junit.js';

// Runs the shipped example flows through the built CLI (`npm run build` first), each on its own in-process hub.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { dir } = tempFiles('sb-scenario-examples-');

const SECTIONS = [
  'Summary',
  'Components',
  'Status by integration point',
  'Contract tests',
  'End-to-end flow steps',
  'Performance',
  'Latency by step',
  'Known issues',
];

/** The rows of the Markdown table under `### title` (without the heading and separator rows). */
function mdRows(md: string, title: string): string[][] {
  const start = md.indexOf(`### ${title}\n`);
  assert.ok(start >= 0, `the report has a "${title}" section`);
  const lines = md.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|'))).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
  return table.slice(2).map((l) => l.slice(2, -2).split(' | '));
}

async function runExample(flow: string, name: string) {
  const report = join(dir, name);
  const run = await runCliAsync(['scenario', 'run', join(ROOT, flow), '--report', report]);
  const read = (f: string) => readFileSync(join(report, f), 'utf8');
  return { run, md: read('report.md'), html: read('report.html'), junit: parseJunit(read('junit.xml')) };
}

// A latency target compares wall-clock time on a machine shared with other work: its row is checked for
// presence, and its outcome is left to the report (every other test case must pass).
const isLatencyTarget = (c: { classname: string; name: string }) => c.classname.endsWith('.targets') && / p\d+ < /.test(c.name);

test('the market-data flow passes and writes the three reports', async () => {
  const { run, md, html, junit } = await runExample('examples/market-data/flows/market-data.yaml', 'market-data');
  const failing = junit.cases.filter((c) => c.failure && !isLatencyTarget(c));
  assert.deepEqual(failing, [], `${run.stdout}\n${run.stderr}`);
  if (run.status !== 0)
    assert.ok(
      junit.cases.some((c) => c.failure && isLatencyTarget(c)),
      run.stdout,
    );
  assert.match(run.stdout, /\[8\/8\] PASS engine-gets-http-tick/);
  assert.match(run.stdout, /Report: .*report\.md, .*report\.html, .*junit\.xml/);

  // 8 steps, 4 targets, 8 contract checks (one per checked step).
  const by = (k: string) => junit.cases.filter((c) => c.classname === `market-data.${k}`);
  assert.equal(by('steps').length, 8);
  assert.equal(by('targets').length, 4);
  assert.equal(by('contracts').length, 8);
  assert.equal(junit.totals.tests, '20');
  assert.equal(junit.suites.length, 1);
  assert.equal(junit.suites[0]!.name, 'market-data');
  assert.ok(by('targets').some((c) => c.name === 'tick-roundtrip p95 < 25 ms'));

  for (const s of SECTIONS) assert.ok(md.includes(`### ${s}\n`), `section ${s}`);
  const points = mdRows(md, 'Status by integration point');
  assert.deepEqual(
    points.find((r) => r[0] === 'data-bridge' && r[1] === 'core-engine' && r[3] === 'ws'),
    ['data-bridge', 'core-engine', 'market.ticks', 'ws', 'PASS', '201', '0', '0'],
  );
  assert.deepEqual(
    points.find((r) => r[0] === 'data-bridge' && r[1] === 'hub' && r[3] === 'ws'),
    ['data-bridge', 'hub', 'market.ticks', 'ws', 'PASS', '201', '1', '0'],
  );
  assert.deepEqual(points.find((r) => r[0] === 'data-bridge' && r[1] === 'core-engine' && r[3] === 'http')?.slice(4), ['PASS', '1', '0', '0']);
  const contract = mdRows(md, 'Contract tests');
  assert.deepEqual(contract.find((r) => r[0] === 'engine-gets-first-tick' && r[2] === '/symbol')?.slice(3), ['"EURUSD"', '"EURUSD"', 'PASS']);
  assert.deepEqual(contract.find((r) => r[0] === 'broken-tick-refused' && r[2] === '/bid')?.slice(4), ['/bid must be number (got string)', 'PASS']);
  const steps = mdRows(md, 'End-to-end flow steps');
  assert.equal(steps.length, 8);
  assert.deepEqual(
    steps.map((r) => r[5]),
    Array(8).fill('PASS'),
  );
  const perf = mdRows(md, 'Performance');
  assert.match(perf.find((r) => r[0] === 'tick-roundtrip p95')![2]!, /^[\d.]+ ms over 200 sample\(s\)$/);
  assert.deepEqual(
    mdRows(md, 'Latency by step')
      .find((r) => r[0] === 'tick-roundtrip')
      ?.slice(1, 3),
    ['expect', '200'],
  );
  const issues = run.status === 0 ? [] : mdRows(md, 'Known issues');
  assert.ok(run.status === 0 ? /### Known issues\n\nNone\./.test(md) : issues.every((r) => r[0]!.startsWith('target tick-roundtrip p95 ')), md);

  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<style>[^<]+<\/style>/);
  assert.doesNotMatch(html, /<script|<link|src=|href=|url\(/i, 'no script and no external asset');
  for (const s of SECTIONS) assert.ok(html.includes(`<h3>${s}</h3>`), `HTML section ${s}`);
  assert.ok(html.includes('tick-roundtrip p95'));
});

test('the request/reply flow passes, with the broken order refused by the contract', async () => {
  const { run, md, junit } = await runExample('examples/request-reply/flow.yaml', 'request-reply');
  const failing = junit.cases.filter((c) => c.failure && !isLatencyTarget(c));
  assert.deepEqual(failing, [], `${run.stdout}\n${run.stderr}`);
  assert.equal(junit.cases.filter((c) => c.classname === 'request-reply.steps').length, 11);
  assert.match(run.stdout, /PASS broken-order-refused: trader publishes order\.placed on orders\.placed/);
  const steps = mdRows(md, 'End-to-end flow steps');
  const refused = steps.find((r) => r[1] === 'broken-order-refused')!;
  assert.equal(refused[3], 'refused with CONTRACT_VIOLATION');
  assert.match(refused[4]!, /^refused as expected \(CONTRACT_VIOLATION: .*\/qty must be &gt;= 1/);
  const contract = mdRows(md, 'Contract tests');
  assert.deepEqual(contract.find((r) => r[0] === 'broken-order-refused' && r[2] === '/side')?.[5], 'PASS');
  const points = mdRows(md, 'Status by integration point');
  assert.deepEqual(
    points.find((r) => r[0] === 'trader' && r[1] === 'pricer' && r[2] === 'req quote.request'),
    ['trader', 'pricer', 'req quote.request', 'ws', 'PASS', '50', '0', '0'],
  );
  assert.deepEqual(points.find((r) => r[0] === 'trader' && r[1] === 'hub' && r[3] === 'http')?.slice(4), ['PASS', '1', '1', '0']);
});

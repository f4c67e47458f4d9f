import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyContracts } from '@switchboard/contracts';
import { parseFlow } from '../src/scenario/flow-file.js';
import { FlowFileError } from '../src/scenario/flow-errors.js';
import { runFlow } from '../src/scenario/runner.js';
import type { Progress } from '../src/scenario/progress.js';
import { runCliAsync, tempFiles } from './support/cli.js';
import { parseJunit } from './support/junit.js';

// Programs in a flow: started by a step (start: manual), awaited (exit code and summary), read by targets.
const { dir, write } = tempFiles('sb-scenario-programs-');

// A tiny program: connects nowhere, prints `ready`, then after a while its JSON summary, and exits with EXIT_CODE.
write(
  'worker.mjs',
  `console.log('ready worker ' + process.env.SWITCHBOARD_COMPONENT + ' ' + process.env.SWITCHBOARD_HTTP);
setTimeout(() => {
  console.log('{"event":"progress","n":1}');
  console.log('not json');
  console.log(JSON.stringify({ event: 'summary', sent: Number(process.env.SENT), hub: process.env.SWITCHBOARD_HTTP, latency_ms: { p99: 4.5, count: 3 } }));
  process.exit(Number(process.env.EXIT_CODE ?? 0));
}, Number(process.env.DELAY_MS ?? 200));
`,
);

const flowText = (opts: { sent: number; exit: number; delay?: number; expectSent: number; timeout?: number; below?: number }) => `name: programs
components:
  - name: watcher
  - name: early
    run: node worker.mjs
    cwd: ${dir}
    env: { SENT: 1, EXIT_CODE: 0, DELAY_MS: 100 }
    ready_line: "^ready worker early "
  - name: worker
    run: node worker.mjs
    cwd: ${dir}
    env: { SENT: ${opts.sent}, EXIT_CODE: ${opts.exit}, DELAY_MS: ${opts.delay ?? 200} }
    ready_line: "^ready worker worker http://"
    start: manual
steps:
  - id: early-done
    await: early
  - id: worker-starts
    start: worker
  - id: worker-done
    await:
      program: worker
      exit_code: 0
      timeout_ms: ${opts.timeout ?? 10000}
      summary: { event: summary, sent: ${opts.expectSent}, hub: { $regex: "^http://127\\\\.0\\\\.0\\\\.1:" }, latency_ms: { p99: { $lte: 10 } } }
targets:
  - { program: worker, value: latency_ms.p99, below: ${opts.below ?? 25} }
  - { program: worker, value: latency_ms.count, at_least: 3, at_most: 3 }
`;

test('start and await steps: a manual program starts at its step; its exit code and summary are checked and reported', async () => {
  const flow = write('ok.yaml', flowText({ sent: 5, exit: 0, expectSent: 5 }));
  const report = join(dir, 'ok');
  const run = await runCliAsync(['scenario', 'run', flow, '--report', report]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /starting early: node worker\.mjs/);
  assert.doesNotMatch(run.stdout, /starting worker:/, 'a start: manual program is not started with the flow');
  assert.match(run.stdout, /\[2\/3\] PASS worker-starts: start worker/);
  assert.match(run.stdout, /\[3\/3\] PASS worker-done: wait for worker to exit/);
  assert.match(run.stdout, /PASS worker latency_ms\.p99 < 25: 4\.5/);
  assert.match(run.stdout, /PASS worker latency_ms\.count ≥ 3 and ≤ 3: 3/);
  const md = readFileSync(join(report, 'report.md'), 'utf8');
  assert.match(md, /\| worker-done \| summary of worker \| \(exit code\) \| 0 \| 0 \| PASS \|/);
  assert.match(md, /\| worker-done \| summary of worker \| \/sent \| 5 \| 5 \| PASS \|/);
  assert.match(md, /\| worker-done \| summary of worker \| \/latency_ms\/p99 \| \{"\$lte":10\} \| 4\.5 \| PASS \|/);
  assert.match(md, /\| worker \| latency_ms\.p99 \| 4\.5 \|/, 'the summary is in the report');
  assert.match(md, /\| worker \| process \| ran and exited \(0\); the flow expected 0 \|/);
  const junit = parseJunit(readFileSync(join(report, 'junit.xml'), 'utf8'));
  assert.equal(junit.totals.failures, '0');
  assert.ok(junit.cases.some((c) => c.classname === 'programs.contracts' && c.name === 'worker-done: summary of worker'));
});

test('an await step fails on a wrong exit code or summary field, and on a program that does not exit in time', async () => {
  const flow = write('bad.yaml', flowText({ sent: 4, exit: 3, expectSent: 5, below: 2 }));
  const report = join(dir, 'bad');
  const run = await runCliAsync(['scenario', 'run', flow, '--report', report]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /FAIL worker-done: wait for worker to exit[^\n]*\n\s+exited \(3\); summary .*: \(exit code\) expected 0, got 3; \/sent expected 5, got 4/,
  );
  assert.match(run.stdout, /FAIL worker latency_ms\.p99 < 2: 4\.5/);
  const junit = parseJunit(readFileSync(join(report, 'junit.xml'), 'utf8'));
  assert.deepEqual(
    junit.cases
      .filter((c) => c.failure)
      .map((c) => c.classname)
      .sort(),
    ['programs.components', 'programs.contracts', 'programs.steps', 'programs.targets'],
  );
  const md = readFileSync(join(report, 'report.md'), 'utf8');
  assert.match(md, /\| worker \| process \| ran and exited \(3\); the flow expected 0 \|/);

  const slow = write('slow.yaml', flowText({ sent: 5, exit: 0, expectSent: 5, delay: 5000, timeout: 300 }));
  const late = await runCliAsync(['scenario', 'run', slow, '--report', join(dir, 'slow')]);
  assert.equal(late.status, 1);
  assert.match(late.stdout, /FAIL worker-done[^\n]*\n\s+worker did not exit within 300 ms; last output: ready worker worker/);
  assert.match(late.stdout, /FAIL worker latency_ms\.p99 < 25: no summary \(the program printed no JSON object on stdout\)/);
});

test('a missed target with unless_load_per_cpu_above is "not judged" on an overloaded machine, and fails otherwise', async () => {
  const flow = parseFlow(
    join(dir, 'load.yaml'),
    `components:
  - { name: w, run: node worker.mjs, cwd: ${dir}, env: { SENT: 1 }, ready_line: "^ready" }
steps:
  - await: w
targets:
  - { program: w, value: latency_ms.p99, below: 1, unless_load_per_cpu_above: 2 }
  - { program: w, value: sent, at_least: 2 }
`,
  );
  const quiet: Progress = { flow() {}, info() {}, step() {}, working() {}, targets() {}, done() {} };
  const busy = await runFlow(flow, { contracts: emptyContracts(), contractsLabel: 'none', progress: quiet, loadPerCpu: () => 3.5 });
  assert.deepEqual(
    busy.targets.map((t) => [t.pass, t.judged]),
    [
      [true, false],
      [false, undefined],
    ],
    'only the target that allows it is excused',
  );
  assert.match(busy.targets[0]!.actual, /^4\.5 — not judged: machine overloaded \(load average 3\.50 per CPU > 2\)$/);
  const calm = await runFlow(flow, { contracts: emptyContracts(), contractsLabel: 'none', progress: quiet, loadPerCpu: () => 1 });
  assert.deepEqual(
    calm.targets.map((t) => [t.pass, t.judged]),
    [
      [false, undefined],
      [false, undefined],
    ],
  );
});

test('flow files: start and await name programs, a manual program needs its start step, program targets need a bound', () => {
  const problems = (text: string) => {
    try {
      parseFlow('/flows/p.yaml', text);
      return [];
    } catch (err) {
      assert.ok(err instanceof FlowFileError);
      return err.problems.map((p) => `${p.where}: ${p.problem}`);
    }
  };
  assert.deepEqual(
    problems(`components:
  - { name: a }
  - { name: p, run: "true" }
  - { name: m, run: "true", start: manual }
  - { name: q, run: "true", start: later }
steps:
  - start: p
  - await: a
  - await: { program: p, exit_code: 300 }
targets:
  - { program: p, value: "x..y" }
  - { program: a, value: n, below: 1, metric: p99 }
`),
    [
      'component "q": start must be at-start or manual, not "later"',
      'step 1 (start): "p" starts with the flow; a start step needs start: manual on the component',
      'step 2 (await): "a" is connected by the runner (no run), not a program',
      'step 3 (await): exit_code must be a whole number from 0 to 255, not 300',
      'steps: the program "m" has start: manual but no step starts it',
      'target 1: value "x..y" is not a dotted field path',
      'target 1: a program target needs below, at_least or at_most',
      'target 2: "a" is not a component with run',
      'target 2: metric does not apply to a program target',
    ],
  );
});

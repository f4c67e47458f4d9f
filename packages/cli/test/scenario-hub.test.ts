import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { history } from '../../../test/support/hub-fixture.js';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { runCliAsync, tempFiles } from './support/cli.js';
import { parseJunit } from './support/junit.js';
import type { Envelope } from '@switchboard/protocol';

// The runner against a hub that already runs (--hub), and components that are programs of their own (run:).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/scenario/', import.meta.url));
const { dir, write } = tempFiles('sb-scenario-hub-');

/** True while a process with this pid runs (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('--hub runs the flow against a hub that already runs, which keeps what flowed', async () => {
  const hub = await startHubInProcess({ contracts: join(ROOT, 'examples/request-reply/contracts') });
  after(() => hub.cleanup());
  const report = join(dir, 'against-hub');
  const run = await runCliAsync(['scenario', 'run', join(ROOT, 'examples/request-reply/flow.yaml'), '--hub', hub.wsUrl, '--report', report]);
  const junit = parseJunit(readFileSync(join(report, 'junit.xml'), 'utf8'));
  assert.deepEqual(
    junit.cases.filter((c) => c.failure && !/ p95 < /.test(c.name)),
    [],
    run.stdout + run.stderr,
  );
  assert.match(run.stdout, new RegExp(`hub: ${hub.url}; contracts: 1 channel\\(s\\) from `));
  const md = readFileSync(join(report, 'report.md'), 'utf8');
  assert.ok(md.includes(`| hub | ${hub.url} |`));
  const log = await history<Envelope<{ order_id: string }>>(hub.url, 'orders.placed');
  assert.deepEqual(
    log.map((m) => [m.id, m.source, m.data.order_id]),
    [
      ['ORD-1', 'trader', 'ORD-1'],
      ['ORD-3', 'trader', 'ORD-3'],
    ],
  );
  const dlq = await history(hub.url, '$dlq.orders.placed');
  assert.equal(dlq.length, 2, 'both broken orders wait in the dead-letter log');
});

test('a run: component is started with the hub URLs, answers and publishes, and is stopped at the end', async () => {
  const pidFile = join(dir, 'ext.pid');
  const report = join(dir, 'external');
  const run = await runCliAsync(['scenario', 'run', join(FIXTURES, 'external.yaml'), '--report', report], { PID_FILE: pidFile });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /starting ext-pricer: node ext-pricer\.mjs/);
  assert.match(run.stdout, /\[1\/2\] PASS ask-external: asker asks ext-pricer: quote\.request ×3/);
  assert.match(run.stdout, /\[2\/2\] PASS listener-sees-external: listener receives on ext\.events ×3/);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(alive(pid), false, 'the program was stopped');
  const md = readFileSync(join(report, 'report.md'), 'utf8');
  assert.match(md, /\| ext-pricer \| process \| started; stopped at the end \|/);
  assert.match(md, /\| asker \| ext-pricer \| req quote\.request \| ws \| PASS \| 3 \| 0 \| 0 \|/);
  assert.match(md, /\| ext-pricer \| listener \| ext\.events \| ws \| PASS \| 3 \| 0 \| 0 \|/);
});

test('a hub that does not answer, a program that never gets ready or one that crashes fails the run with the reason', async () => {
  const flow = write(
    'never-ready.yaml',
    `name: never-ready
components:
  - name: a
  - name: sleepy
    run: "echo starting up; sleep 30"
    ready_line: "^ready$"
    ready_timeout_ms: 500
steps:
  - wait: 1
`,
  );
  const report = join(dir, 'never-ready');
  const run = await runCliAsync(['scenario', 'run', flow, '--report', report]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /setup failed: sleepy: no stdout line matched ready_line \/\^ready\$\/ within 500 ms; last output:\n\s+starting up/);
  const md = readFileSync(join(report, 'report.md'), 'utf8');
  assert.match(md, /\| setup \| sleepy: no stdout line matched ready_line/);
  assert.match(md, /\| 1 \| wait-1 \| wait 1 ms \| — \| not run \(setup failed\) \| FAIL \|/);
  const junit = parseJunit(readFileSync(join(report, 'junit.xml'), 'utf8'));
  assert.ok(junit.cases.some((c) => c.classname === 'never-ready.setup' && /sleepy/.test(c.failure ?? '')));

  const crash = write(
    'crash.yaml',
    `components:
  - { name: a }
  - { name: crasher, run: "echo boom >&2; sleep 0.2; exit 3" }
steps:
  - wait: 800
`,
  );
  const crashed = await runCliAsync(['scenario', 'run', crash, '--report', join(dir, 'crash')]);
  assert.equal(crashed.status, 1, crashed.stdout);
  assert.match(crashed.stdout, /\n {2}component crasher: exited \(3\) during the run; last output: boom\n/);
  const crashJunit = parseJunit(readFileSync(join(dir, 'crash', 'junit.xml'), 'utf8'));
  assert.deepEqual(
    crashJunit.cases.filter((c) => c.failure).map((c) => [c.classname, c.name]),
    [['crash.components', 'crasher']],
  );

  const noHub = await runCliAsync(['scenario', 'run', flow, '--hub', 'http://127.0.0.1:9', '--report', join(dir, 'no-hub')]);
  assert.equal(noHub.status, 1);
  assert.match(noHub.stdout, /setup failed: no hub answers at http:\/\/127\.0\.0\.1:9\/healthz \(.*\); start one \(switchboard start\) or fix --hub/);
  assert.ok(existsSync(join(dir, 'no-hub', 'junit.xml')));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliAsync, tempFiles } from './support/cli.js';
import { parseJunit } from './support/junit.js';

// What a user sees when a flow fails or cannot run: exit status, progress lines, known issues, JUnit failures.
const { dir, write } = tempFiles('sb-scenario-failures-');

test('a step whose expected message never arrives fails the run (exit 1) and is listed under known issues', async () => {
  const flow = write(
    'missing.yaml',
    `name: missing-reply
description: "An <b>expect</b> & a \\"quote\\" that must be escaped"
components:
  - name: sender
  - name: receiver
steps:
  - id: send
    publish: { component: sender, channel: demo.events, type: happened, data: { kind: "<script>alert(1)</script>", n: 1 } }
  - id: wrong-expectation
    expect: { component: receiver, channel: demo.events, data: { kind: "<script>alert(1)</script>", n: 2 }, within_ms: 300 }
  - id: still-runs
    http: { method: GET, path: /healthz }
targets:
  - { metric: errors, at_most: 0 }
`,
  );
  const report = join(dir, 'missing-report');
  const run = await runCliAsync(['scenario', 'run', flow, '--report', report]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /\[2\/3\] FAIL wrong-expectation: receiver receives on demo\.events/);
  assert.match(run.stdout, /no matching message on demo\.events within 300 ms; 1 other message\(s\) arrived, the last one differs: \/n expected 2, got 1/);
  assert.match(run.stdout, /\[3\/3\] PASS still-runs/, 'the steps after a failure still run');
  assert.match(run.stdout, /FAIL errors ≤ 0: 1/);

  const md = readFileSync(join(report, 'report.md'), 'utf8');
  const issues = md.slice(md.indexOf('### Known issues'));
  assert.match(issues, /\| step 2 wrong-expectation \| no matching message on demo\.events within 300 ms/);
  assert.match(issues, /\| target errors ≤ 0 \| measured 1 \|/);
  assert.match(md, /Result: \*\*FAIL\*\*/);
  assert.match(md, /\| sender \| receiver \| demo\.events \| ws \| FAIL \| 1 \| 0 \| 1 \|/);
  assert.ok(md.includes('&lt;script&gt;'), 'Markdown does not carry raw HTML');

  const html = readFileSync(join(report, 'report.html'), 'utf8');
  assert.ok(!html.includes('<script>'), 'HTML escapes the data');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('An &lt;b&gt;expect&lt;/b&gt; &amp; a &quot;quote&quot;'));

  // Known issues come right after the summary, before the contract rows.
  const sections = [...md.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(sections.slice(0, 3), ['Summary', 'Known issues', 'Components']);
  // The 300 ms wait of the failed expect is no latency sample: the step measured nothing.
  assert.doesNotMatch(md.slice(md.indexOf('### Latency by step')), /wrong-expectation/);
  // PASS/FAIL cells never wrap and fit their text.
  assert.match(html, /td\.status\{white-space:nowrap;word-break:normal;width:1%\}/);
  assert.match(html, /<td class="status fail">FAIL<\/td>/);
  assert.match(html, /<td class="status pass">PASS<\/td>/);
  assert.ok(html.indexOf('<h3>Known issues</h3>') < html.indexOf('<h3>Contract tests</h3>'));

  const junit = parseJunit(readFileSync(join(report, 'junit.xml'), 'utf8'));
  const failed = junit.cases.filter((c) => c.failure);
  assert.deepEqual(failed.map((c) => c.classname).sort(), ['missing-reply.contracts', 'missing-reply.steps', 'missing-reply.targets']);
  assert.match(failed.find((c) => c.classname === 'missing-reply.steps')!.failure!, /^no matching message on demo\.events within 300 ms/);
  assert.equal(junit.totals.failures, '3');
  assert.equal(junit.suites[0]!.failures, '3');
});

test('a refusal the flow expected but that did not happen is a failure', async () => {
  const flow = write(
    'no-refusal.yaml',
    `components: [{ name: a }]
steps:
  - publish: { component: a, channel: free.channel, type: any, data: {}, expect_error: CONTRACT_VIOLATION }
`,
  );
  const run = await runCliAsync(['scenario', 'run', flow, '--report', join(dir, 'no-refusal'), '--json']);
  assert.equal(run.status, 1);
  const out = JSON.parse(run.stdout);
  assert.equal(out.pass, false);
  assert.equal(out.flows[0].name, 'no-refusal');
  assert.match(out.flows[0].steps[0].actual, /^accepted, seq 1, but CONTRACT_VIOLATION was expected$/);
  assert.match(run.stderr, /\[1\/1\] FAIL publish-1/, 'with --json the progress goes to stderr');
});

test('an invalid flow file exits 2 and names the file, line, step and fix of every problem', () => {
  const flow = write(
    'broken.yaml',
    `name: broken
components:
  - name: bridge
  - name: engine
    run: "node engine.js"
steps:
  - id: tick
    publish: { component: brdge, channel: market.ticks, data: {} }
  - id: engine-acts
    expect: { component: engine, channel: market.ticks, within_ms: fast }
  - sleep: 100
targets:
  - { step: nowhere, metric: p95, below_ms: 25 }
`,
  );
  const run = runCli(['scenario', 'run', flow, '--report', join(dir, 'never')]);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines[0], 'switchboard scenario run: invalid flow file');
  const expected = [
    /broken\.yaml:8:27: step 1 "tick" \(publish\): "brdge" is not a component of this flow\. Fix: use one of bridge or add it under components/,
    /broken\.yaml:8:14: step 1 "tick" \(publish\): type is missing\. Fix: name the message type, e\.g\. type: tick/,
    /broken\.yaml:10:26: step 2 "engine-acts" \(expect\): "engine" is a component with run \(its own program\); the runner cannot act as it\. Fix: use one of bridge/,
    /broken\.yaml:10:68: step 2 "engine-acts" \(expect\): within_ms must be a whole number from 1 to 600000, not "fast"/,
    /broken\.yaml:11:5: step 3: the step has no kind\. Fix: give it exactly one of publish, expect, request, http, wait/,
    /broken\.yaml:13:13: target 1: there is no step with id "nowhere"\. Fix: use one of tick, engine-acts/,
  ];
  for (const re of expected)
    assert.ok(
      lines.some((l) => re.test(l)),
      `${re} in\n${run.stderr}`,
    );
  assert.equal(lines.length, 1 + expected.length, run.stderr);
});

test('YAML syntax errors and unknown keys exit 2 with the place', () => {
  const bad = write('syntax.yaml', 'components: [{ name: a }\nsteps: []\n');
  const r1 = runCli(['scenario', 'run', bad]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /syntax\.yaml:\d+:\d+: YAML: not valid YAML: .*\. Fix: correct the YAML syntax at this place/);
  const unknown = write('unknown.yaml', 'components: [{ name: a }]\nsteps:\n  - wait: 10\n    repeats: 3\n');
  const r2 = runCli(['scenario', 'run', unknown]);
  assert.equal(r2.status, 2);
  assert.match(
    r2.stderr,
    /unknown\.yaml:4:14: step 1 \(wait\): unknown key "repeats"\. Fix: use only id, repeat, description, publish, expect, request, http, wait/,
  );
  const missing = runCli(['scenario', 'run', join(dir, 'nope.yaml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.yaml: file: cannot read the flow file \(ENOENT.*\)\. Fix: check the path given to scenario run/);
});

test('scenario --help, scenario run --help and usage errors', () => {
  const top = runCli(['scenario', '--help']);
  assert.equal(top.status, 0);
  assert.match(top.stdout, /^Usage: switchboard scenario <run>/);
  const help = runCli(['scenario', 'run', '--help']);
  assert.equal(help.status, 0);
  for (const opt of ['--hub URL', '--contracts DIR', '--report DIR', '--json', '-h, --help']) assert.ok(help.stdout.includes(opt), opt);
  assert.equal(runCli(['help', 'scenario', 'run']).stdout, help.stdout);
  const none = runCli(['scenario', 'run']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no flow file given/);
  const unknown = runCli(['scenario', 'walk']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown verb "walk"/);
  assert.match(runCli(['--help']).stdout, /scenario +Run end-to-end flows/);
});

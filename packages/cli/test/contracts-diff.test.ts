import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, tempFiles, type CliRun } from './support/cli.js';

// Spawns the built CLI: run `npx tsc -b packages/cli` (or `npm run build`) first.
const { dir, write } = tempFiles('sb-contracts-diff-');
const run = (...args: string[]): CliRun => runCli(args);

/** A market contract; `props` and `required` are the tick payload's. */
function market(props: string, required = '[bid]', extraTypes = ''): string {
  return `asyncapi: 3.0.0
info:
  title: market
  version: 1.0.0
channels:
  ticks:
    address: market.ticks
    messages:
      tick:
        payload:
          type: object
          required: ${required}
          properties:
${props
  .split('\n')
  .map((l) => `            ${l}`)
  .join('\n')}
${extraTypes}`;
}

const V1 = market(`bid: { type: number }\nside: { enum: [buy, sell] }`);
/** Narrowing: ask becomes a new required property, bid an integer. */
const V2_PRODUCERS = market(`bid: { type: integer }\nask: { type: number }\nside: { enum: [buy, sell] }`, '[bid, ask]');
/** Widening only: a new enum value and a new message type. */
const V2_CONSUMERS = market(`bid: { type: number }\nside: { enum: [buy, sell, hold] }`, '[bid]', `      quote:\n        payload: { type: object }\n`);

test('a change that breaks producers is a table row and exit 1 (default --fail-on producers)', () => {
  const r = run('contracts', 'diff', write('v1.yaml', V1), write('v2p.yaml', V2_PRODUCERS));
  assert.equal(r.status, 1);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^change\s+channel \/ type\s+path\s+old → new\s+breaks$/);
  assert.ok(
    lines.some((l) => /^type-changed\s+market\.ticks \/ tick\s+\/bid\s+number → integer\s+producers$/.test(l)),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => /^required-property-added\s+market\.ticks \/ tick\s+\/ask\s+— → \{"type":"number"\}\s+producers$/.test(l)),
    r.stdout,
  );
  assert.match(r.stdout, /2 changes: 2 break producers, 0 break consumers, 0 break nobody/);
  assert.match(r.stderr, /2 changes break producers \(--fail-on producers\)/);
  assert.equal(run('contracts', 'diff', '--fail-on', 'consumers', join(dir, 'v1.yaml'), join(dir, 'v2p.yaml')).status, 0);
  assert.equal(run('contracts', 'diff', '--fail-on', 'none', join(dir, 'v1.yaml'), join(dir, 'v2p.yaml')).status, 0);
  assert.equal(run('contracts', 'diff', '--fail-on', 'any', join(dir, 'v1.yaml'), join(dir, 'v2p.yaml')).status, 1);
});

test('the summary lines agree in number: "1 change breaks producers", "1 breaks consumers"', () => {
  const oneNarrowing = market(`bid: { type: integer }\nside: { enum: [buy, sell] }`);
  const r = run('contracts', 'diff', write('v1.yaml', V1), write('v2-one.yaml', oneNarrowing));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /\n1 change: 1 breaks producers, 0 break consumers, 0 break nobody\n/);
  assert.match(r.stderr, /^switchboard contracts diff: 1 change breaks producers \(--fail-on producers\)$/m);
  const widening = run('contracts', 'diff', '--fail-on', 'any', join(dir, 'v1.yaml'), write('v2c.yaml', V2_CONSUMERS));
  assert.match(widening.stdout, /\n2 changes: 0 break producers, 2 break consumers, 0 break nobody\n/);
  assert.match(widening.stderr, /2 changes break producers or consumers \(--fail-on any\)/);
});

test('--json prints an array of {kind, channel, type, path, old, new, breaks}', () => {
  const r = run('contracts', 'diff', '--json', write('v1.yaml', V1), write('v2p.yaml', V2_PRODUCERS));
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), [
    { kind: 'type-changed', channel: 'market.ticks', type: 'tick', path: '/bid', old: 'number', new: 'integer', breaks: 'producers' },
    { kind: 'required-property-added', channel: 'market.ticks', type: 'tick', path: '/ask', old: null, new: { type: 'number' }, breaks: 'producers' },
  ]);
});

test('widening breaks consumers: exit 0 by default, 1 with --fail-on consumers or any', () => {
  const a = write('v1.yaml', V1);
  const b = write('v2c.yaml', V2_CONSUMERS);
  const r = run('contracts', 'diff', a, b);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^enum-value-added\s+market\.ticks \/ tick\s+\/side\s+— → hold\s+consumers$/m);
  assert.match(r.stdout, /^message-added\s+market\.ticks \/ quote\s+— → \{"type":"object"\}\s+consumers$/m);
  assert.equal(run('contracts', 'diff', '--fail-on', 'consumers', a, b).status, 1);
  assert.equal(run('contracts', 'diff', '--fail-on', 'any', a, b).status, 1);
  assert.equal(run('contracts', 'diff', '--fail-on', 'producers', a, b).status, 0);
});

test('identical versions: "No changes." and exit 0; directories are compared as sets', () => {
  const r = run('contracts', 'diff', write('v1.yaml', V1), write('v1-copy.yaml', V1));
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'No changes.\n');
  assert.deepEqual(JSON.parse(run('contracts', 'diff', '--json', join(dir, 'v1.yaml'), join(dir, 'v1-copy.yaml')).stdout), []);
  write('old/market.yaml', V1);
  write(
    'new/market.yaml',
    V1.replace('title: market', 'title: market').replace(
      'ticks:\n    address: market.ticks',
      'ticks:\n    address: market.ticks\n    description: best prices',
    ),
  );
  write(
    'new/news.yaml',
    'asyncapi: 3.0.0\ninfo: { title: news, version: 1.0.0 }\nchannels:\n  news:\n    address: market.news\n    messages:\n      headline: { payload: { type: string } }\n',
  );
  const d = run('contracts', 'diff', '--json', '--fail-on', 'any', join(dir, 'old'), join(dir, 'new'));
  assert.equal(d.status, 0, d.stderr);
  assert.deepEqual(
    (JSON.parse(d.stdout) as Array<{ kind: string; channel: string; breaks: string }>).map((c) => [c.kind, c.channel, c.breaks]),
    [
      ['description-changed', 'market.ticks', 'nobody'],
      ['channel-added', 'market.news', 'nobody'],
    ],
  );
});

test('a version that cannot be loaded exits 1 naming it; usage errors exit 2; --help exits 0', () => {
  const bad = run('contracts', 'diff', write('v1.yaml', V1), write('broken.yaml', 'asyncapi: 3.0.0\ninfo: [\n'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /cannot load NEW \(.*broken\.yaml\): .*broken\.yaml:\d+:\d+: invalid YAML/);
  const one = run('contracts', 'diff', join(dir, 'v1.yaml'));
  assert.equal(one.status, 2);
  assert.match(one.stderr, /give exactly two versions, OLD and NEW \(got 1\)/);
  const failOn = run('contracts', 'diff', '--fail-on', 'everyone', join(dir, 'v1.yaml'), join(dir, 'v1.yaml'));
  assert.equal(failOn.status, 2);
  assert.match(failOn.stderr, /--fail-on must be one of producers, consumers, any, none, not "everyone"/);
  assert.equal(run('contracts', 'diff', '--fail-on').status, 2);
  for (const args of [
    ['contracts', 'diff', '--help'],
    ['help', 'contracts', 'diff'],
  ]) {
    const h = run(...args);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: switchboard contracts diff OLD NEW/);
    assert.match(h.stdout, /--fail-on SIDE/);
  }
});

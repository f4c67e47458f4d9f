import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OFFICIAL_EXAMPLES as EXAMPLES, runCli, tempFiles, type CliRun } from './support/cli.js';

// Spawns the built CLI: run `npx tsc -b packages/cli` (or `npm run build`) first.
const { dir, write } = tempFiles('sb-contracts-check-');
const run = (...args: string[]): CliRun => runCli(args);

const MARKET = `asyncapi: 3.0.0
info:
  title: market
  version: 1.0.0
channels:
  ticks:
    address: market.ticks
    messages:
      tick:
        $ref: '#/components/messages/tick'
      quote:
        payload: { type: object }
operations:
  publishTicks:
    action: send
    channel:
      $ref: '#/channels/ticks'
    messages:
      - $ref: '#/channels/ticks/messages/tick'
components:
  messages:
    tick:
      payload:
        type: object
        required: [bid]
        properties:
          bid: { type: number }
`;

test('check of a good document prints OK with its channels and message types; exit 0', () => {
  const file = write('good/market.yaml', MARKET);
  const r = run('contracts', 'check', file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^OK {4}.*market\.yaml: 1 channel, 2 message types$/m);
  assert.match(r.stdout, /^ {8}market\.ticks: tick, quote$/m);
  assert.match(r.stdout, /1 document checked: 1 ok, 0 with problems; 0 problems, 0 warnings/);
});

test('check --json gives a machine-readable result', () => {
  const file = write('good/market.yaml', MARKET);
  const r = run('contracts', 'check', '--json', file);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; problems: number; documents: Array<{ file: string; ok: boolean; channels: unknown }> };
  assert.equal(out.ok, true);
  assert.equal(out.problems, 0);
  assert.deepEqual(
    out.documents.map((d) => [d.file, d.ok, d.channels]),
    [[file, true, [{ address: 'market.ticks', messageTypes: ['tick', 'quote'] }]]],
  );
});

test('an invalid payload schema is reported with file, line:col, pointer and fix; exit 1', () => {
  const file = write('bad/schema.yaml', MARKET.replace('bid: { type: number }', 'bid: { type: numbr }'));
  const r = run('contracts', 'check', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^FAIL {2}.*schema\.yaml$/m);
  assert.match(r.stderr, /schema\.yaml:27:\d+ at #\/components\/messages\/tick\/payload\/properties\/bid\/type: the payload schema is invalid/);
  assert.match(r.stderr, /^ {4}fix: /m);
  const j = JSON.parse(run('contracts', 'check', '--json', file).stdout) as {
    ok: boolean;
    documents: Array<{ problems: Array<{ pointer: string; line: number; fix: string }> }>;
  };
  assert.equal(j.ok, false);
  assert.equal(j.documents[0]!.problems[0]!.pointer, '/components/messages/tick/payload/properties/bid/type');
  assert.equal(j.documents[0]!.problems[0]!.line, 27);
  assert.ok(j.documents[0]!.problems[0]!.fix.length > 0);
});

test("an operation's message that belongs to another channel is a problem with pointer and fix", () => {
  const text = MARKET.replace("      - $ref: '#/channels/ticks/messages/tick'", "      - $ref: '#/channels/news/messages/headline'").replace(
    'operations:',
    `  news:\n    address: market.news\n    messages:\n      headline:\n        payload: { type: object }\noperations:`,
  );
  const file = write('bad/ops.yaml', text);
  const r = run('contracts', 'check', file);
  assert.equal(r.status, 1, r.stdout);
  assert.match(
    r.stderr,
    /ops\.yaml:24:9 at #\/operations\/publishTicks\/messages\/0\/\$ref: operation "publishTicks" lists message "#\/channels\/news\/messages\/headline", which is not a message of its channel "#\/channels\/ticks"/,
  );
  assert.match(r.stderr, /fix: point the \$ref at one of the channel's messages \(#\/channels\/ticks\/messages\/tick, #\/channels\/ticks\/messages\/quote\)/);
});

test('a directory is checked recursively; one bad file makes exit 1; a named file that is not AsyncAPI is a problem', () => {
  write('mixed/a/market.yaml', MARKET);
  write('mixed/b/broken.yaml', 'asyncapi: 3.0.0\ninfo: [\n');
  const r = run('contracts', 'check', join(dir, 'mixed'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^OK {4}.*market\.yaml/m);
  assert.match(r.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
  assert.match(r.stderr, /2 documents checked: 1 ok, 1 with problems/);
  const plain = write('plain.yaml', 'Tick: { type: object }\n');
  const p = run('contracts', 'check', plain);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /not an AsyncAPI document/);
  assert.equal(run('contracts', 'check', join(dir, 'missing.yaml')).status, 1);
});

test('--together also loads the documents as one set, as the hub does', () => {
  const a = write('together/a.yaml', MARKET);
  const b = write('together/b.yaml', MARKET.replace('bid: { type: number }', 'bid: { type: string }'));
  assert.equal(run('contracts', 'check', a, b).status, 0);
  const r = run('contracts', 'check', '--together', a, b);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /FAIL {2}all 2 documents together/);
  assert.match(r.stderr, /different payload schema/);
});

test('every official AsyncAPI example passes check (Avro accepted with a warning)', () => {
  const r = run('contracts', 'check', EXAMPLES);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /24 documents checked: 24 ok, 0 with problems; 0 problems/);
  assert.match(r.stdout, /adeo-kafka-request-reply-asyncapi\.yml.*"application\/vnd\.apache\.avro;version=1\.9\.0" is not JSON Schema/);
  assert.match(r.stdout, /OK {4}.*social-media\/backend\/asyncapi\.yaml: 4 channels, 4 message types/);
  const j = JSON.parse(run('contracts', 'check', '--json', EXAMPLES).stdout) as { ok: boolean; documents: unknown[] };
  assert.equal(j.ok, true);
  assert.equal(j.documents.length, 24);
});

test('--help of contracts and contracts check exit 0; usage errors exit 2', () => {
  for (const args of [
    ['contracts', '--help'],
    ['help', 'contracts'],
    ['contracts', 'check', '--help'],
    ['help', 'contracts', 'check'],
    ['contracts', 'check', '-h'],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(
      r.stdout,
      args.includes('check') ? /Usage: switchboard contracts check FILE\|DIR\.\.\./ : /Usage: switchboard contracts <check\|diff\|types\|can-deploy>/,
    );
  }
  assert.match(run('--help').stdout, /contracts {2}Check AsyncAPI contracts/);
  const none = run('contracts');
  assert.equal(none.status, 2);
  assert.match(none.stderr, /a command is needed/);
  assert.equal(run('contracts', 'lint').status, 2);
  const noFile = run('contracts', 'check');
  assert.equal(noFile.status, 2);
  assert.match(noFile.stderr, /name at least one AsyncAPI file or directory/);
  const bad = run('contracts', 'check', '--bogus', 'x.yaml');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option '--bogus'/);
});

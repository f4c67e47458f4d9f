import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the market-data example runs with one command: valid ticks reach the engine, invalid ones are in the DLQ', () => {
  const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [run, '--count', '400', '--rate', '400'], { encoding: 'utf8', timeout: 60_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, /ticks sent:\s+400/);
  assert.match(out, /accepted \(ok\):\s+396/);
  assert.match(out, /refused:\s+4 \(CONTRACT_VIOLATION; 4 in \$dlq\.market\.ticks\)/);
  assert.match(out, /engine received:\s+396 \(in seq order\)/);
  assert.match(out, /p50 [\d.]+ ms, p99 [\d.]+ ms/);
});

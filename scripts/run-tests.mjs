#!/usr/bin/env node
// Runs every test file (`packages/*/test/*.test.ts`, `test/**/*.test.ts`, `examples/**/*.test.ts`) with
// Node's test runner and tsx. Pass file paths or name fragments to run a subset.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const found = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) found.push(relative(root, p));
  }
}
for (const d of ['packages', 'test', 'examples']) {
  try {
    walk(join(root, d));
  } catch {
    /* absent */
  }
}
const filters = process.argv.slice(2);
const files = found.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const timeout = process.env.TEST_TIMEOUT ?? '120000';
// Latency targets are judged by the benchmark (bench/), not by a test, so every file may share the CPUs.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);

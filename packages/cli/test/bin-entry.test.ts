import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFiles } from './support/cli.js';

// The command npm links at install time (node_modules/.bin/switchboard), before any build: `npm ci` first.
const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const ENTRY = join(PACKAGE, 'bin', 'switchboard.js');
const LINK = join(PACKAGE, '..', '..', 'node_modules', '.bin', 'switchboard');
const run = (file: string, ...args: string[]) => spawnSync(file, args, { encoding: 'utf8' });

test('the package bin is the committed entry, shipped in files, and npm linked it as node_modules/.bin/switchboard', () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
  assert.deepEqual(pkg.bin, { switchboard: './bin/switchboard.js' });
  assert.ok(pkg.files.includes('bin'), 'files lists bin');
  assert.equal(realpathSync(LINK), realpathSync(ENTRY), `${LINK} points at bin/switchboard.js (run npm ci)`);
  assert.ok(statSync(ENTRY).mode & 0o111, 'bin/switchboard.js is executable');
});

test('the linked command runs the built CLI: --help and start --help print their usage and exit 0', () => {
  const help = run(LINK, '--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: switchboard <command> \[options\]/);
  const start = run(LINK, 'start', '--help');
  assert.equal(start.status, 0, start.stderr);
  assert.match(start.stdout, /^Usage: switchboard start \[options\]/);
  const bad = run(LINK, 'no-such-command');
  assert.equal(bad.status, 2, 'a usage error keeps its exit status through the entry');
});

test('without a build the entry says to run npm run build and exits 1', () => {
  const { dir } = tempFiles('sb-bin-entry-');
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(PACKAGE, 'package.json'), join(dir, 'package.json'));
  copyFileSync(ENTRY, join(dir, 'bin', 'switchboard.js'));
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'switchboard.js'), '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^switchboard: the CLI is not built yet \(.*dist\/bin\.js is missing\)\.\nRun `npm run build` first/);
});

// The docs a new user reads first point at the SDK's reference, and the contracts-in-CI guide runs in this
// repository as written: its paths exist and the output it shows for `contracts types` is the real one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/hub-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

it('the README Docs section and the quick start link the SDK README', () => {
  const docs = read('README.md').split('\n## Docs')[1] ?? '';
  assert.match(docs, /\]\(packages\/client\/README\.md\)/);
  assert.match(read('docs/guides/quick-start.md'), /\]\(\.\.\/\.\.\/packages\/client\/README\.md\)/);
});

it('the contracts-in-CI guide uses paths this repository has, and shows `contracts types` with its real output', () => {
  const guide = read('docs/guides/contracts-in-ci.md');
  assert.doesNotMatch(guide, /(^|[\s'"(])contracts\//m, 'no bare contracts/ folder (the repository has none)');
  const paths = new Set(guide.match(/examples\/[\w./-]+/g) ?? []);
  assert.ok(paths.size > 0);
  for (const p of paths) assert.ok(existsSync(join(ROOT, p.replace(/[.]$/, ''))), `${p} exists`);

  const shown = /\$ npx switchboard contracts types (\S+) --out \S+\n([\s\S]*?)\n```/.exec(guide);
  assert.ok(shown, 'the guide shows a run of contracts types');
  const out = mkdtempSync(join(tmpdir(), 'sb-types-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'contracts', 'types', shown[1]!, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().replaceAll(out, '/tmp/market-types'), shown[2]!.trim());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

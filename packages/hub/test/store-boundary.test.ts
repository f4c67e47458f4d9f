import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the hub core imports no database or broker client: SQLite and NATS stay behind store/', () => {
  const offenders: string[] = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith('store/')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
      if (/^(@nats-io\/|better-sqlite3$|nats$)/.test(m[1]!)) offenders.push(`${rel} imports ${m[1]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('a hub on the embedded store never loads the NATS client: only the `nats` entry leads to it', () => {
  // follow the static imports (`import … from` and `export … from`, not `import type`) from the package's main entry
  const seen = new Set<string>();
  const reached: string[] = [];
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) walk(join(file, '..', spec.replace(/\.js$/, '.ts')));
      else reached.push(spec);
    }
  };
  walk(join(SRC, 'index.ts'));
  assert.ok(reached.includes('better-sqlite3'), 'the walk follows the imports (it reaches the SQLite store)');
  assert.deepEqual(
    reached.filter((s) => s.startsWith('@nats-io/')),
    [],
  );
  seen.clear();
  reached.length = 0;
  walk(join(SRC, 'nats.ts'));
  assert.ok(
    reached.some((s) => s.startsWith('@nats-io/')),
    'the nats entry does',
  );
});

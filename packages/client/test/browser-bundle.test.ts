import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { hubFor, NO_HUB } from './support/hub.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

test('src uses no Node API: no node: or builtin imports, no Buffer, no process', () => {
  for (const f of readdirSync(SRC).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(SRC + f, 'utf8');
    assert.doesNotMatch(text, /from\s+['"](node:|fs|path|net|http|https|crypto|events|buffer)['"]/, f);
    assert.doesNotMatch(text, /\bBuffer\./, f);
    assert.doesNotMatch(text, /\bprocess\./, f);
    assert.doesNotMatch(text, /\brequire\(/, f);
  }
});

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [SRC + 'index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

test('the SDK bundles for the browser platform (esbuild) and the bundle names no Node module', async () => {
  const code = await bundle();
  assert.doesNotMatch(code, /["']node:/);
  assert.match(code, /randomUUID/);
});

test('the browser bundle connects through globalThis.WebSocket', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const code = await bundle();
  const url = 'data:text/javascript;base64,' + Buffer.from(code).toString('base64');
  const g = globalThis as { WebSocket?: unknown };
  const before = g.WebSocket;
  g.WebSocket = WebSocket;
  t.after(() => {
    g.WebSocket = before;
  });
  const sdk = (await import(url)) as typeof import('../src/index.js');
  const c = await sdk.connect({ url: hub.wsUrl, component: 'browser-like' });
  t.after(() => c.close());
  const sub = await c.subscribe<string>('browser.ch', { from: 0 });
  assert.equal((await c.publish('browser.ch', 't', 'hi')).seq, 1);
  const m = await sub[Symbol.asyncIterator]().next();
  assert.equal(m.value?.data, 'hi');
});

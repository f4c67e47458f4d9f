import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLIENT_OPS, ERROR_CODE_LIST } from '../src/index.js';

const root = new URL('../../../', import.meta.url);
const ours = readFileSync(new URL('docs/protocol.md', root), 'utf8');
const canonical = readFileSync(new URL('docs/reference/protocol-v1.md', root), 'utf8');

test('the protocol reference carries every line of the canonical contract, word for word', () => {
  const lines = canonical
    .split('\n')
    .slice(1)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  const missing = lines.filter((l) => !ours.includes(l));
  assert.deepEqual(missing, [], 'docs/protocol.md lost or changed these lines of docs/reference/protocol-v1.md');
});

test('every client op of the protocol types is described in the doc', () => {
  for (const op of CLIENT_OPS) assert.ok(ours.includes(`"op":"${op}"`), `docs/protocol.md shows no frame with "op":"${op}"`);
});

test('every error code is named in the doc', () => {
  for (const code of ERROR_CODE_LIST) assert.ok(ours.includes(code), `docs/protocol.md does not name ${code}`);
});

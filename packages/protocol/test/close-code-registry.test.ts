import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLOSE_CODE_LIST, CloseCodes, isLostConnection } from '../src/index.js';

const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/protocol.md', root), 'utf8');
const table = doc.split('## Close codes')[1]!.split('\n## ')[0]!;
const documented = [...table.matchAll(/^\| (\d{4}) \|/gm)].map((m) => Number(m[1]));

test('every close code of the registry has a row in the close-code table of docs/protocol.md', () => {
  for (const [name, { code }] of Object.entries(CloseCodes)) assert.ok(documented.includes(code), `docs/protocol.md has no row for ${code} (${name})`);
});

test('the close-code table lists no code the registry lacks', () => {
  assert.deepEqual([...documented].sort(), [...CLOSE_CODE_LIST].sort());
});

test('close codes are unique, and each has a reason that fits a close frame (123 bytes at most)', () => {
  assert.equal(new Set(CLOSE_CODE_LIST).size, CLOSE_CODE_LIST.length);
  for (const { code, reason } of Object.values(CloseCodes)) {
    assert.ok(Buffer.byteLength(reason) <= 123, `reason of ${code} is too long for a close frame`);
    assert.ok(code === 1001 || code === 1009 || (code >= 4000 && code <= 4999), `${code} is neither a standard code the hub uses nor in the private range`);
  }
});

test('a connection the client closed itself is not lost; any other end is', () => {
  for (const code of [1000, 1001, 1005]) assert.equal(isLostConnection(code), false, String(code));
  for (const code of [1006, 4408, 1011, undefined]) assert.equal(isLostConnection(code), true, String(code));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCodes, ERROR_CODE_LIST, RETIRED_ERROR_CODES, isErrorCode, type ErrorCode } from '../src/index.js';

const root = new URL('../../../', import.meta.url);
const errorsDoc = readFileSync(new URL('docs/reference/errors.md', root), 'utf8');
const canonical = readFileSync(new URL('docs/reference/protocol-v1.md', root), 'utf8');

test('every registry code is documented in docs/reference/errors.md with its HTTP status', () => {
  for (const code of ERROR_CODE_LIST) {
    const row = errorsDoc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `docs/reference/errors.md has no row for ${code}`);
    assert.ok(row.includes(`| ${ErrorCodes[code].status} |`), `row for ${code} does not show status ${ErrorCodes[code].status}`);
  }
});

test('the errors page lists no code the registry lacks', () => {
  const documented = [...errorsDoc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), [...ERROR_CODE_LIST].sort());
});

test('every code of the canonical contract is in the registry, and the registry adds none the contract lacks', () => {
  const section = canonical.split('## Error codes')[1]!.split('##')[0]!;
  const listed = [...section.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
  assert.deepEqual([...new Set(listed)].sort(), [...ERROR_CODE_LIST].sort());
});

test('retired codes are never reused', () => {
  for (const code of RETIRED_ERROR_CODES) assert.equal(isErrorCode(code), false, `${code} is retired but back in the registry`);
});

test('the ErrorCode union is exactly the registry keys', () => {
  const all: Record<ErrorCode, true> = Object.fromEntries(ERROR_CODE_LIST.map((c) => [c, true])) as Record<ErrorCode, true>;
  assert.equal(Object.keys(all).length, Object.keys(ErrorCodes).length);
  assert.equal(isErrorCode('NOT_A_CODE'), false);
  assert.equal(isErrorCode('BAD_FRAME'), true);
});

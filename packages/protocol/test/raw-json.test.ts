import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PAYLOAD_DEPTH, nestedDeeperThan, rawMembers, withMember, withoutMember } from '../src/index.js';

// A small seeded generator (mulberry32), so that a failure can be reproduced from its seed.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPACES = ['', '', '', ' ', '\n', '\t', '\r\n', '  \n\t '];
const KEYS = ['data', 'meta', 'op', 'id', 'd\\u0061ta', 'm\\u0065ta', 'da', 'dat', 'data\\"', 'x\\\\', '', 'ch'];
const STRING_PARTS = [
  'a',
  'b c',
  '\\"',
  '\\\\',
  '\\\\\\"',
  '\\u0041',
  '\\u00e9',
  '\\ud83d\\ude00',
  '\\n',
  '\\/',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  'é',
  '😀',
  '\\u0022',
  '\\\\u0022',
];
const NUMBERS = [
  '0',
  '-0',
  '1',
  '-17',
  '1764749280343123457',
  '1.08410000000000001',
  '1e400',
  '-1.5E-7',
  '123456789012345678901234567890',
  '3.14159265358979323846264338327950288',
];

/** Random JSON text of a value, at most `depth` levels deep. */
function value(r: () => number, depth: number): string {
  const sp = () => SPACES[Math.floor(r() * SPACES.length)]!;
  const k = r();
  if (depth > 0 && k < 0.25) {
    const n = Math.floor(r() * 4);
    const members = Array.from({ length: n }, () => `${sp()}"${KEYS[Math.floor(r() * KEYS.length)]}"${sp()}:${sp()}${value(r, depth - 1)}${sp()}`);
    return `{${members.join(',') || sp()}}`;
  }
  if (depth > 0 && k < 0.45) {
    const n = Math.floor(r() * 4);
    return `[${Array.from({ length: n }, () => `${sp()}${value(r, depth - 1)}${sp()}`).join(',') || sp()}]`;
  }
  if (k < 0.7) return `"${Array.from({ length: Math.floor(r() * 5) }, () => STRING_PARTS[Math.floor(r() * STRING_PARTS.length)]).join('')}"`;
  if (k < 0.9) return NUMBERS[Math.floor(r() * NUMBERS.length)]!;
  return ['true', 'false', 'null'][Math.floor(r() * 3)]!;
}

/** A random top-level object and, per decoded key, the source text of its last value. */
function document(r: () => number): { text: string; expected: Map<string, string> } {
  const sp = () => SPACES[Math.floor(r() * SPACES.length)]!;
  const expected = new Map<string, string>();
  const members: string[] = [];
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const key = KEYS[Math.floor(r() * KEYS.length)]!;
    const v = value(r, 1 + Math.floor(r() * 5));
    expected.set(JSON.parse(`"${key}"`) as string, v);
    members.push(`${sp()}"${key}"${sp()}:${sp()}${v}${sp()}`);
  }
  return { text: `${sp()}{${members.join(',') || sp()}}${sp()}`, expected };
}

test('the value texts of 20,000 generated documents are exactly their source, the last of duplicate keys winning as in JSON.parse', () => {
  const r = rng(20261121);
  const wanted = ['data', 'meta', 'op', 'id', 'da', 'data"', 'x\\', ''];
  for (let i = 0; i < 20_000; i++) {
    const { text, expected } = document(r);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const got = rawMembers(text, wanted);
    assert.ok(got, `document ${i} was not read: ${text}`);
    for (const key of wanted) {
      assert.equal(got[key], expected.get(key), `document ${i}, key ${JSON.stringify(key)}: ${text}`);
      if (got[key] !== undefined) assert.deepEqual(JSON.parse(got[key]!), parsed[key], `document ${i}, key ${JSON.stringify(key)}`);
    }
  }
});

test('a publish frame gives data and meta digit for digit', () => {
  const frame =
    '{"op":"pub","id":2,"ch":"market.ticks","type":"tick","data": {"id": 1764749280343123457, "price": 1.08410000000000001},\n "meta" :{"k":"\\"}"}}';
  assert.deepEqual(rawMembers(frame, ['data', 'meta']), { data: '{"id": 1764749280343123457, "price": 1.08410000000000001}', meta: '{"k":"\\"}"}' });
  assert.deepEqual(rawMembers('{"op":"pub"}', ['data']), {});
  assert.deepEqual(rawMembers(' { } ', ['data']), {});
  assert.deepEqual(rawMembers('{"data":-1.5e3}', ['data']), { data: '-1.5e3' });
});

test('deep nesting and a long string are read without recursion', () => {
  const deep = '['.repeat(100_000) + '"x"' + ']'.repeat(100_000);
  assert.equal(rawMembers(`{"data":${deep},"meta":{}}`, ['data'])?.data, deep);
  const long = '"' + 'a\\\\'.repeat(300_000) + '\\""';
  assert.equal(rawMembers(`{"data":${long}}`, ['data'])?.data, long);
});

test('nestedDeeperThan counts objects and arrays, not brackets inside strings', () => {
  const nest = (n: number) => '{"a":['.repeat(n) + '"]]]"' + ']}'.repeat(n);
  assert.equal(nestedDeeperThan(nest(MAX_PAYLOAD_DEPTH / 2), MAX_PAYLOAD_DEPTH), false);
  assert.equal(nestedDeeperThan(nest(MAX_PAYLOAD_DEPTH / 2 + 1), MAX_PAYLOAD_DEPTH), true);
  assert.equal(nestedDeeperThan(' ["[[[[", {"{{{": "[[["}] ', 2), false);
  assert.equal(nestedDeeperThan('"[[[["', 0), false);
  assert.equal(nestedDeeperThan('1764749280343123457', 0), false);
  assert.equal(nestedDeeperThan('[[[]]]', 2), true, 'three levels in six characters');
  assert.equal(nestedDeeperThan('['.repeat(3) + ']'.repeat(3), 3), false, 'exactly at the limit');
});

test('text that is not a JSON object gives undefined, never a throw', () => {
  for (const bad of ['', '[]', '"data"', '1', '{"data"', '{"data":', '{"data":[1,2', '{"data":"x', '{"a":1,', '{"a" 1}', '{"a":1 "b":2}', '{a:1}']) {
    assert.equal(rawMembers(bad, ['data']), undefined, bad);
  }
});

test('withMember adds a member at the end of an object text and keeps the values as written', () => {
  assert.equal(withMember('{"a": 1.08410000000000001 }', 'dlq', '{"x":2}'), '{"a": 1.08410000000000001,"dlq":{"x":2}}');
  assert.equal(withMember(' { \n } ', 'dlq', '1'), ' {"dlq":1} ');
  assert.equal(withMember('{}', 'k"', 'null'), '{"k\\"":null}');
  assert.equal(withMember('[1]', 'dlq', '1'), undefined);
  assert.equal(withMember('}', 'dlq', '1'), undefined);
});

test('withoutMember undoes withMember and keeps the other members as written', () => {
  const meta = '{"trace_seq": 9007199254740993, "correlation_id": "c-1"}';
  const dead = withMember(meta, 'dlq', '{"reason":"x"}')!;
  assert.equal(withoutMember(dead, 'dlq'), meta);
  assert.equal(withoutMember('{"dlq":{"a":1}}', 'dlq'), '{}');
  assert.equal(withoutMember('{ "dlq": 1 , "b": 2.50 }', 'dlq'), '{ "b": 2.50 }');
  assert.equal(withoutMember('{"a": 1, "dlq": [1, {"}": 2}], "b": 3}', 'dlq'), '{"a": 1, "b": 3}');
  assert.equal(withoutMember('{"a":1,"dlq":2,"dlq":3}', 'dlq'), '{"a":1}');
  assert.equal(withoutMember('{"a": 1}', 'dlq'), '{"a": 1}');
  assert.equal(withoutMember('[1]', 'dlq'), undefined);
});

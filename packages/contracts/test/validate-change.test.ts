// `validateChange` checks only the places an in-place change touched; it must refuse exactly what checking the whole
// value refuses, with the same details. A differential property: random `inc`-like changes (a number replaced, a key
// added) to valid values of schemas with structural keywords only, and of schemas with keywords that look deeper
// (enum, allOf, oneOf, if/then, uniqueItems, contains, const), each step judged both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadContractDocuments, type ContractSet, type ValueChange } from '../src/index.js';

const RUNS = Number(process.env.SWITCHBOARD_FUZZ_RUNS ?? 150);

/** A contract with one channel `doc` of type `value` whose payload is `schema` (JSON), and `components` schemas. */
function contractOf(schema: unknown, components: Record<string, unknown> = {}): ContractSet {
  const text = JSON.stringify({
    asyncapi: '3.0.0',
    info: { title: 'change checks', version: '1.0.0' },
    channels: { doc: { address: 'doc', messages: { value: { payload: schema } } } },
    components: { schemas: components },
  });
  return loadContractDocuments([{ file: 'doc.json', text }]);
}

const QA = {
  type: 'object',
  additionalProperties: false,
  required: ['questions'],
  properties: {
    questions: {
      type: 'object',
      maxProperties: 4,
      propertyNames: { pattern: '^[a-z0-9]{1,4}$' },
      additionalProperties: { $ref: '#/components/schemas/question' },
    },
  },
};
const QUESTION = {
  type: 'object',
  additionalProperties: false,
  required: ['votes', 'voters'],
  properties: {
    votes: { type: 'integer', minimum: 0, maximum: 6 },
    voters: { type: 'object', maxProperties: 3, propertyNames: { pattern: '^a[0-9]$' }, additionalProperties: { type: 'integer', minimum: 0, maximum: 1 } },
  },
};

/** Schemas and a valid starting value of each. `local`: every keyword above a change is structural. */
const CASES: Array<{ name: string; local: boolean; set: ContractSet; start: unknown }> = [
  {
    name: 'Q&A with votes and voters ($ref, propertyNames, maxProperties, additionalProperties)',
    local: true,
    set: contractOf(QA, { question: QUESTION }),
    start: { questions: { q1: { votes: 0, voters: {} } } },
  },
  {
    name: 'arrays of counters (items, maxItems) and patternProperties',
    local: true,
    set: contractOf({
      type: 'object',
      properties: {
        options: { type: 'array', maxItems: 3, items: { type: 'object', properties: { votes: { type: 'integer', minimum: 0, multipleOf: 1 } } } },
        tally: { type: 'object', minProperties: 1, maxProperties: 2, required: ['a'], additionalProperties: { type: 'integer' } },
      },
      patternProperties: { '^n[0-9]$': { type: 'number', exclusiveMaximum: 3 } },
      additionalProperties: false,
    }),
    start: { options: [{ votes: 0 }, { votes: 1 }], n1: 0, tally: { a: 0 } },
  },
  {
    name: 'enum and const above the counters',
    local: false,
    set: contractOf({ type: 'object', properties: { tally: { type: 'object', enum: [{ a: 0 }, { a: 1 }, { a: 1, b: 1 }] }, fixed: { const: { c: 0 } } } }),
    start: { tally: { a: 0 }, fixed: { c: 0 } },
  },
  {
    name: 'allOf, oneOf and if/then over an object of counters',
    local: false,
    set: contractOf({
      type: 'object',
      properties: {
        score: {
          type: 'object',
          allOf: [{ properties: { a: { maximum: 2 } } }],
          oneOf: [{ required: ['b'] }, { properties: { a: { minimum: 1 } } }],
          if: { properties: { a: { const: 2 } } },
          then: { required: ['c'] },
        },
      },
    }),
    start: { score: { a: 0, b: 0 } },
  },
  {
    name: 'uniqueItems and contains over an array of numbers',
    local: false,
    set: contractOf({ type: 'object', properties: { list: { type: 'array', uniqueItems: true, contains: { minimum: 1 } } } }),
    start: { list: [1, 2, 3] },
  },
];

/** The places a change may touch in `value`: every number (replaced), and new keys in every object. */
function places(value: unknown, at: string[] = []): Array<{ path: string[]; created: boolean }> {
  const out: Array<{ path: string[]; created: boolean }> = [];
  if (typeof value === 'number') out.push({ path: at, created: false });
  else if (Array.isArray(value)) value.forEach((v, i) => out.push(...places(v, [...at, String(i)])));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...places(v, [...at, k]));
    for (const k of ['a', 'b', 'c', 'a1', 'a2', 'a3', 'a4', 'q2', 'q3', 'n2', 'n9', 'BAD', 'votes', 'voters']) {
      if (!Object.hasOwn(value, k)) out.push({ path: [...at, k], created: true });
    }
  }
  return out.filter((p) => p.path.length > 0);
}

/** Applies an inc at `change.path` in place; returns how to undo it. */
function applyChange(root: unknown, change: ValueChange, by: number): () => void {
  let parent = root as Record<string, unknown>;
  for (const s of change.path.slice(0, -1)) parent = parent[s] as Record<string, unknown>;
  const key = change.path[change.path.length - 1]!;
  const had = Object.hasOwn(parent, key);
  const before = parent[key];
  parent[key] = ((before as number | undefined) ?? 0) + by;
  return () => {
    if (had) parent[key] = before;
    else delete parent[key];
  };
}

/** A violation's details in a stable order (the order of Ajv's errors may differ between the two checks). */
function sorted(v: ReturnType<ContractSet['validate']>): unknown {
  return v && [...v.details].sort((a, b) => `${a.path} ${a.rule} ${a.message}`.localeCompare(`${b.path} ${b.rule} ${b.message}`));
}

for (const c of CASES) {
  test(`validateChange refuses exactly what the whole check refuses: ${c.name}`, () => {
    assert.equal(c.set.validate('doc', 'value', c.start), undefined, 'the starting value is valid');
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(1, 1, 1, -1, 2, 0.5)), { minLength: 1, maxLength: 30 }), (steps) => {
        const value: unknown = structuredClone(c.start);
        for (const [pick, second, by] of steps) {
          const all = places(value);
          const first = all[pick % all.length]!;
          // Sometimes two changes in one update (a vote: the count and the voter's mark).
          const other = all[second % all.length]!;
          const changes = second % 3 === 0 && other.path.join('/') !== first.path.join('/') ? [first, other] : [first];
          const undo = changes.map((ch) => applyChange(value, ch, by));
          const whole = c.set.validate('doc', 'value', value);
          const local = c.set.validateChange('doc', 'value', value, changes);
          assert.deepEqual(sorted(local), sorted(whole), `changes ${JSON.stringify(changes)} by ${by} to ${JSON.stringify(value)}`);
          if (whole) {
            refused++;
            undo.reverse().forEach((u) => u());
          } else accepted++;
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(refused > 0 && accepted > 0, `both outcomes were exercised (${accepted} accepted, ${refused} refused)`);
  });
}

test('with structural keywords only, the check looks at the changed places alone; otherwise at the whole value', () => {
  const qa = CASES[0]!.set;
  // A part that is invalid (written before a stricter contract, say) is not looked at by a change elsewhere…
  const value = { questions: { q1: { votes: 1, voters: { a1: 1 } }, q2: { votes: 99, voters: {} } } };
  assert.ok(qa.validate('doc', 'value', value), 'the whole check sees /questions/q2/votes');
  assert.equal(qa.validateChange('doc', 'value', value, [{ path: ['questions', 'q1', 'votes'], created: false }]), undefined);
  // …while a change that breaks its own place is refused with the whole check's words.
  value.questions.q1.voters.a1 = 2;
  const v = qa.validateChange('doc', 'value', value, [{ path: ['questions', 'q1', 'voters', 'a1'], created: false }]);
  assert.deepEqual(v?.details, [{ path: '/questions/q1/voters/a1', rule: 'maximum', expected: 1, message: '/questions/q1/voters/a1 must be <= 1 (got 2)' }]);
  assert.equal(v?.message, 'doc/value: /questions/q1/voters/a1 must be <= 1 (got 2)');

  const withEnum = CASES[2]!.set;
  const bad = { tally: { a: 1 }, fixed: { c: 1 } };
  assert.ok(withEnum.validateChange('doc', 'value', bad, [{ path: ['tally', 'a'], created: false }]), 'const above a place: the whole value is checked');
});

test('a channel without a contract, or a change to the whole value, is checked as validate would', () => {
  const qa = CASES[0]!.set;
  assert.equal(qa.validateChange('other', 'value', 5, [{ path: ['x'], created: false }]), undefined);
  assert.deepEqual(qa.validateChange('doc', 'value', 5, [{ path: [], created: false }]), qa.validate('doc', 'value', 5));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContractDocuments } from '../src/index.js';
import { oneChannel } from './helpers.js';

/** A set with channel `c` whose message `m` has the given payload object (written as YAML flow). */
const withPayload = (payload: string, options = {}) =>
  loadContractDocuments(
    [
      {
        file: 'c.yaml',
        text: oneChannel(`  c:
    address: c
    messages:
      m:
        payload: ${payload}
`),
      },
    ],
    options,
  );

test('AsyncAPI schema formats are JSON Schema draft-07', () => {
  for (const f of [
    'application/vnd.aai.asyncapi;version=3.0.0',
    'application/vnd.aai.asyncapi+json;version=3.0.0',
    'application/vnd.aai.asyncapi+yaml;version=3.0.0',
  ]) {
    const set = withPayload(`{ schemaFormat: '${f}', schema: { type: integer } }`);
    assert.equal(set.validate('c', 'm', 1), undefined);
    assert.equal(set.validate('c', 'm', 1.5)?.details[0]?.expected, 'integer');
    assert.equal(set.channel('c')?.message('m')?.schemaFormat, f);
  }
});

test('application/schema+json and +yaml with draft-07', () => {
  for (const f of ['application/schema+json;version=draft-07', 'application/schema+yaml;version=draft-07']) {
    assert.equal(withPayload(`{ schemaFormat: '${f}', schema: { type: string } }`).validate('c', 'm', 1)?.details[0]?.rule, 'type');
  }
});

test('JSON Schema 2020-12 keywords apply (prefixItems)', () => {
  const set = withPayload(
    "{ schemaFormat: 'application/schema+json;version=2020-12', schema: { type: array, prefixItems: [{ type: number }, { type: string }], items: false } }",
  );
  assert.equal(set.validate('c', 'm', [1, 'a']), undefined);
  assert.deepEqual(
    set.validate('c', 'm', [1, 2])?.details.map((d) => [d.path, d.rule]),
    [['/1', 'type']],
  );
  assert.deepEqual(set.validate('c', 'm', [1, 'a', 3])?.details[0], {
    path: '',
    rule: 'items',
    expected: false,
    message: 'payload must NOT have more than 2 items',
  });
});

test('JSON Schema 2019-09 keywords apply (dependentRequired)', () => {
  const set = withPayload("{ schemaFormat: 'application/schema+json;version=2019-09', schema: { type: object, dependentRequired: { card: [cvc] } } }");
  assert.deepEqual(set.validate('c', 'm', { card: '4111' })?.details, [
    { path: '/cvc', rule: 'dependentRequired', expected: 'cvc', message: '/cvc is required when card is present' },
  ]);
});

test('a payload whose own $schema names 2020-12 is compiled as 2020-12', () => {
  const set = withPayload("{ $schema: 'https://json-schema.org/draft/2020-12/schema', type: array, prefixItems: [{ type: number }] }");
  assert.equal(set.validate('c', 'm', ['x'])?.details[0]?.path, '/0');
});

test('OpenAPI 3.0 schemas are accepted (nullable)', () => {
  const set = withPayload("{ schemaFormat: 'application/vnd.oai.openapi;version=3.0.0', schema: { type: string, nullable: true } }");
  assert.equal(set.validate('c', 'm', null), undefined);
  assert.equal(set.validate('c', 'm', 3)?.details[0]?.rule, 'type');
});

test("unsupportedSchemaFormats: 'skip' accepts a non-JSON Schema payload unchecked, with a warning", () => {
  const set = withPayload("{ schemaFormat: 'application/vnd.google.protobuf;version=3', schema: 'message Tick { double bid = 1; }' }", {
    unsupportedSchemaFormats: 'skip',
  });
  const m = set.channel('c')?.message('m');
  assert.equal(m?.validated, false);
  assert.equal(m?.schema, undefined);
  assert.equal(set.validate('c', 'm', 'any bytes'), undefined);
  assert.equal(set.warnings.length, 1);
  assert.match(
    set.warnings[0]!,
    /^c\.yaml at #\/channels\/c\/messages\/m\/payload: .*application\/vnd\.google\.protobuf;version=3.* accepted without checking/,
  );
});

test('an unknown format is a warning, not an error, and is not checked', () => {
  const set = withPayload('{ type: string, format: iri-reference }');
  assert.equal(set.validate('c', 'm', 'anything'), undefined);
  assert.deepEqual(set.warnings, ['c.yaml:10 at #/channels/c/messages/m/payload: unknown format "iri-reference" ignored']);
});

test('many failures are capped in details and summarised in the message', () => {
  const set = withPayload('{ type: array, items: { type: number } }');
  const v = set.validate(
    'c',
    'm',
    Array.from({ length: 30 }, () => 'x'),
  );
  assert.equal(v?.details.length, 20);
  assert.match(v!.message, /^c\/m: \/0 must be number \(got string\); .*; \/4 must be number \(got string\); and 25 more$/);
});

test('enum, const, limits, uniqueItems and oneOf details name what is expected', () => {
  const set = withPayload(`
          type: object
          properties:
            side: { enum: [buy, sell] }
            v: { const: 1 }
            qty: { type: integer, minimum: 1, maximum: 10 }
            tags: { type: array, uniqueItems: true, maxItems: 2 }
            id: { oneOf: [{ type: string }, { type: integer }] }`);
  const v = set.validate('c', 'm', { side: 'hold', v: 2, qty: 11, tags: ['a', 'a', 'b'], id: 1.5 });
  assert.deepEqual(
    v?.details.map(({ path, rule, expected }) => ({ path, rule, expected })),
    [
      { path: '/side', rule: 'enum', expected: ['buy', 'sell'] },
      { path: '/v', rule: 'const', expected: 1 },
      { path: '/qty', rule: 'maximum', expected: 10 },
      { path: '/tags', rule: 'maxItems', expected: 2 },
      { path: '/tags', rule: 'uniqueItems', expected: true },
      { path: '/id', rule: 'type', expected: 'string' },
      { path: '/id', rule: 'type', expected: 'integer' },
      { path: '/id', rule: 'oneOf', expected: undefined },
    ],
  );
  assert.match(v!.message, /\/side must be one of "buy", "sell" \(got "hold"\)/);
  assert.match(v!.message, /\/qty must be <= 10 \(got 11\)/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffContracts, loadContractDocuments, type ContractChange, type ContractSet } from '../src/index.js';

type Schema = Record<string, unknown>;
/** channel address → message type → payload schema (undefined: no payload). */
type Channels = Record<string, Record<string, Schema | undefined>>;

/** A contract set from an inline AsyncAPI 3 document (written as JSON, which is YAML too). */
function contracts(channels: Channels, components: Schema = {}): ContractSet {
  const doc = {
    asyncapi: '3.0.0',
    info: { title: 'diff test', version: '1.0.0' },
    channels: Object.fromEntries(
      Object.entries(channels).map(([address, types], i) => [
        `ch${i}`,
        {
          address,
          messages: Object.fromEntries(
            Object.entries(types).map(([type, payload]) => [type, payload === undefined ? { name: type } : { name: type, payload }]),
          ),
        },
      ]),
    ),
    components: { schemas: components },
  };
  return loadContractDocuments([{ file: 'contract.yaml', text: JSON.stringify(doc) }]);
}

const CH = 'market.ticks';
const tick = (payload: Schema): Channels => ({ [CH]: { tick: payload } });
const obj = (properties: Schema, more: Schema = {}): Schema => ({ type: 'object', properties, ...more });

/** The changes between two payloads of market.ticks/tick, as [kind, path, breaks]. */
function payloadDiff(oldP: Schema, newP: Schema): Array<[string, string | null, string]> {
  return changes(tick(oldP), tick(newP)).map((c) => [c.kind, c.path, c.breaks]);
}
function changes(oldC: Channels, newC: Channels, oldDefs: Schema = {}, newDefs: Schema = {}): ContractChange[] {
  return diffContracts(contracts(oldC, oldDefs), contracts(newC, newDefs));
}

// ------------------------------------------------------------------ breaks producers (narrowing)

test('producers: a new required property', () => {
  assert.deepEqual(payloadDiff(obj({ bid: { type: 'number' } }), obj({ bid: { type: 'number' }, ask: { type: 'number' } }, { required: ['ask'] })), [
    ['required-property-added', '/ask', 'producers'],
  ]);
});

test('producers: an existing property becomes required', () => {
  const c = changes(tick(obj({ bid: { type: 'number' } })), tick(obj({ bid: { type: 'number' } }, { required: ['bid'] })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.channel, x.type, x.path, x.old, x.new, x.breaks]),
    [['required-added', CH, 'tick', '/bid', false, true, 'producers']],
  );
});

test('producers: a removed enum value', () => {
  const c = changes(tick(obj({ side: { enum: ['buy', 'sell', 'hold'] } })), tick(obj({ side: { enum: ['buy', 'sell'] } })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.old, x.breaks]),
    [['enum-value-removed', '/side', 'hold', 'producers']],
  );
});

test('producers: an enum where there was none', () => {
  assert.deepEqual(payloadDiff(obj({ side: { type: 'string' } }), obj({ side: { type: 'string', enum: ['buy'] } })), [['enum-added', '/side', 'producers']]);
});

test('producers: a tighter type (number → integer)', () => {
  const c = changes(tick(obj({ qty: { type: 'number' } })), tick(obj({ qty: { type: 'integer' } })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.old, x.new, x.breaks]),
    [['type-changed', '/qty', 'number', 'integer', 'producers']],
  );
});

test('producers: a changed type (string → number)', () => {
  assert.deepEqual(payloadDiff(obj({ bid: { type: 'string' } }), obj({ bid: { type: 'number' } })), [['type-changed', '/bid', 'producers']]);
});

test('producers: a type removed from a union, and a type where there was none', () => {
  assert.deepEqual(payloadDiff(obj({ a: { type: ['string', 'null'] }, b: {} }), obj({ a: { type: 'string' }, b: { type: 'string' } })), [
    ['type-changed', '/a', 'producers'],
    ['type-changed', '/b', 'producers'],
  ]);
});

test('producers: a lower maximum and a higher minimum', () => {
  const c = changes(tick(obj({ bid: { type: 'number', minimum: 0, maximum: 100 } })), tick(obj({ bid: { type: 'number', minimum: 1, maximum: 50 } })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.old, x.new, x.breaks]),
    [
      ['maximum-lowered', '/bid', 100, 50, 'producers'],
      ['minimum-raised', '/bid', 0, 1, 'producers'],
    ],
  );
});

test('producers: exclusive limits and a new maximum', () => {
  assert.deepEqual(
    payloadDiff(
      obj({ a: { exclusiveMaximum: 10 }, b: { exclusiveMinimum: 0 }, c: {} }),
      obj({ a: { exclusiveMaximum: 9 }, b: { exclusiveMinimum: 1 }, c: { maximum: 5 } }),
    ),
    [
      ['exclusiveMaximum-lowered', '/a', 'producers'],
      ['exclusiveMinimum-raised', '/b', 'producers'],
      ['maximum-added', '/c', 'producers'],
    ],
  );
});

test('producers: a shorter maxLength and a longer minLength', () => {
  assert.deepEqual(payloadDiff(obj({ s: { type: 'string', minLength: 1, maxLength: 12 } }), obj({ s: { type: 'string', minLength: 3, maxLength: 6 } })), [
    ['maxLength-lowered', '/s', 'producers'],
    ['minLength-raised', '/s', 'producers'],
  ]);
});

test('producers: a new pattern, a changed pattern, a new format, a changed format', () => {
  assert.deepEqual(
    payloadDiff(
      obj({ a: { type: 'string' }, b: { type: 'string', pattern: '^[A-Z]+$' }, c: { type: 'string' }, d: { type: 'string', format: 'date' } }),
      obj({
        a: { type: 'string', pattern: '^[A-Z]{6}$' },
        b: { type: 'string', pattern: '^[A-Z]{6}$' },
        c: { type: 'string', format: 'date-time' },
        d: { type: 'string', format: 'date-time' },
      }),
    ),
    [
      ['pattern-added', '/a', 'producers'],
      ['pattern-changed', '/b', 'producers'],
      ['format-added', '/c', 'producers'],
      ['format-changed', '/d', 'producers'],
    ],
  );
});

test('producers: a removed property under additionalProperties: false', () => {
  const c = changes(
    tick(obj({ bid: { type: 'number' }, venue: { type: 'string' } }, { additionalProperties: false })),
    tick(obj({ bid: { type: 'number' } }, { additionalProperties: false })),
  );
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.old, x.new, x.breaks]),
    [['property-removed', '/venue', { type: 'string' }, undefined, 'producers']],
  );
});

test('producers: additionalProperties true → false', () => {
  assert.deepEqual(payloadDiff(obj({ bid: {} }, { additionalProperties: true }), obj({ bid: {} }, { additionalProperties: false })), [
    ['additional-properties-closed', '', 'producers'],
  ]);
  assert.deepEqual(payloadDiff(obj({ bid: {} }), obj({ bid: {} }, { additionalProperties: false })), [['additional-properties-closed', '', 'producers']]);
});

test('producers: a removed message type', () => {
  const c = changes({ [CH]: { tick: obj({}), quote: obj({}) } }, { [CH]: { tick: obj({}) } });
  assert.deepEqual(
    c.map((x) => [x.kind, x.channel, x.type, x.path, x.breaks]),
    [['message-removed', CH, 'quote', null, 'producers']],
  );
});

test('producers: a removed channel', () => {
  const c = changes({ [CH]: { tick: obj({}) }, 'market.news': { headline: obj({}) } }, { [CH]: { tick: obj({}) } });
  assert.deepEqual(
    c.map((x) => [x.kind, x.channel, x.type, x.breaks]),
    [['channel-removed', 'market.news', null, 'producers']],
  );
});

test('producers: a payload where there was none (any data was accepted)', () => {
  const c = changes({ [CH]: { tick: undefined } }, tick(obj({})));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.breaks]),
    [['payload-checked', '', 'producers']],
  );
});

test('producers: a changed const, and a keyword the walk does not descend into (not)', () => {
  assert.deepEqual(payloadDiff(obj({ v: { const: 1 }, w: { not: { type: 'string' } } }), obj({ v: { const: 2 }, w: { not: { type: 'number' } } })), [
    ['const-changed', '/v', 'producers'],
    ['not-changed', '/w', 'producers'],
  ]);
});

// ------------------------------------------------------------------ breaks consumers (widening)

test('consumers: a removed required (the property became optional)', () => {
  const c = changes(tick(obj({ bid: { type: 'number' } }, { required: ['bid'] })), tick(obj({ bid: { type: 'number' } })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.old, x.new, x.breaks]),
    [['required-removed', '/bid', true, false, 'consumers']],
  );
});

test('consumers: a new enum value', () => {
  const c = changes(tick(obj({ side: { enum: ['buy', 'sell'] } })), tick(obj({ side: { enum: ['buy', 'sell', 'hold'] } })));
  assert.deepEqual(
    c.map((x) => [x.kind, x.path, x.new, x.breaks]),
    [['enum-value-added', '/side', 'hold', 'consumers']],
  );
});

test('consumers: a looser type (integer → number) and a type added to a union', () => {
  assert.deepEqual(
    payloadDiff(obj({ qty: { type: 'integer' }, note: { type: 'string' } }), obj({ qty: { type: 'number' }, note: { type: ['string', 'null'] } })),
    [
      ['type-changed', '/qty', 'consumers'],
      ['type-changed', '/note', 'consumers'],
    ],
  );
});

test('consumers: a removed pattern and a removed format', () => {
  assert.deepEqual(
    payloadDiff(obj({ a: { type: 'string', pattern: '^x$' }, b: { type: 'string', format: 'email' } }), obj({ a: { type: 'string' }, b: { type: 'string' } })),
    [
      ['pattern-removed', '/a', 'consumers'],
      ['format-removed', '/b', 'consumers'],
    ],
  );
});

test('consumers: a raised maximum, a lower minimum, a longer maxLength', () => {
  assert.deepEqual(payloadDiff(obj({ a: { maximum: 10, minimum: 5 }, s: { maxLength: 3 } }), obj({ a: { maximum: 20, minimum: 0 }, s: { maxLength: 8 } })), [
    ['maximum-raised', '/a', 'consumers'],
    ['minimum-lowered', '/a', 'consumers'],
    ['maxLength-raised', '/s', 'consumers'],
  ]);
});

test('consumers: a new message type on an existing channel', () => {
  const c = changes({ [CH]: { tick: obj({}) } }, { [CH]: { tick: obj({}), quote: obj({ bid: { type: 'number' } }) } });
  assert.deepEqual(
    c.map((x) => [x.kind, x.channel, x.type, x.breaks]),
    [['message-added', CH, 'quote', 'consumers']],
  );
});

test('consumers: a new optional property when the old schema had additionalProperties: false', () => {
  assert.deepEqual(
    payloadDiff(obj({ bid: {} }, { additionalProperties: false }), obj({ bid: {}, venue: { type: 'string' } }, { additionalProperties: false })),
    [['property-added', '/venue', 'consumers']],
  );
});

test('consumers: a removed property under open additionalProperties; additionalProperties false → true', () => {
  assert.deepEqual(payloadDiff(obj({ bid: {}, venue: {} }), obj({ bid: {} })), [['property-removed', '/venue', 'consumers']]);
  assert.deepEqual(payloadDiff(obj({ bid: {} }, { additionalProperties: false }), obj({ bid: {} })), [['additional-properties-opened', '', 'consumers']]);
});

// ------------------------------------------------------------------ breaks nobody

test('nobody: description, title and examples changes', () => {
  assert.deepEqual(
    payloadDiff(
      obj({ bid: { type: 'number', description: 'best bid' } }, { title: 'Tick', examples: [{ bid: 1 }] }),
      obj({ bid: { type: 'number', description: 'the best bid price' } }, { title: 'Market tick', examples: [{ bid: 2 }] }),
    ),
    [
      ['title-changed', '', 'nobody'],
      ['examples-changed', '', 'nobody'],
      ['description-changed', '/bid', 'nobody'],
    ],
  );
});

test('nobody: a new optional property when additionalProperties was open', () => {
  assert.deepEqual(payloadDiff(obj({ bid: {} }), obj({ bid: {}, venue: { type: 'string' } })), [['property-added', '/venue', 'nobody']]);
});

test('nobody: a new channel', () => {
  const c = changes({ [CH]: { tick: obj({}) } }, { [CH]: { tick: obj({}) }, 'market.news': { headline: obj({}) } });
  assert.deepEqual(
    c.map((x) => [x.kind, x.channel, x.type, x.new, x.breaks]),
    [['channel-added', 'market.news', null, ['headline'], 'nobody']],
  );
});

// ------------------------------------------------------------------ the walk

test('identical contracts give no changes; renamed {param} placeholders are the same channel', () => {
  const p = obj({ bid: { type: 'number', maximum: 5 } }, { required: ['bid'] });
  assert.deepEqual(changes(tick(p), tick(p)), []);
  assert.deepEqual(changes({ 'rooms.{id}': { msg: p } }, { 'rooms.{roomId}': { msg: p } }), []);
});

test('nested objects and arrays: paths name the field, [] the items of an array', () => {
  assert.deepEqual(
    payloadDiff(
      obj({ quote: obj({ bid: { type: 'number' } }), legs: { type: 'array', items: obj({ price: { type: 'number' } }), maxItems: 10 } }),
      obj({
        quote: obj({ bid: { type: 'integer' } }, { required: ['bid'] }),
        legs: { type: 'array', items: obj({ price: { type: 'number', minimum: 0 } }), maxItems: 5 },
      }),
    ),
    [
      ['type-changed', '/quote/bid', 'producers'],
      ['required-added', '/quote/bid', 'producers'],
      ['maxItems-lowered', '/legs', 'producers'],
      ['minimum-added', '/legs/[]/price', 'producers'],
    ],
  );
});

test('$refs are followed: two properties sharing one component schema both report its change', () => {
  const oldDefs = { Price: { type: 'number' } };
  const newDefs = { Price: { type: 'number', minimum: 0 } };
  const p = obj({ bid: { $ref: '#/components/schemas/Price' }, ask: { $ref: '#/components/schemas/Price' } });
  assert.deepEqual(
    changes(tick(p), tick(p), oldDefs, newDefs).map((x) => [x.kind, x.path, x.breaks]),
    [
      ['minimum-added', '/bid', 'producers'],
      ['minimum-added', '/ask', 'producers'],
    ],
  );
});

test('recursive schemas terminate', () => {
  const node = (extra: Schema): Schema => ({
    Node: obj({ name: { type: 'string', ...extra }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } }),
  });
  const p = { $ref: '#/components/schemas/Node' };
  assert.deepEqual(
    changes(tick(p), tick(p), node({}), node({ maxLength: 3 })).map((x) => [x.kind, x.path]),
    [['maxLength-added', '/name']],
  );
});

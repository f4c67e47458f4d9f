import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffContracts, loadContractDocuments } from '../src/index.js';

type Schema = Record<string, unknown>;

/** The changes of market.orders/order between two payloads, as [kind, path, breaks]. */
function diff(oldP: Schema, newP: Schema): Array<[string, string | null, string]> {
  const set = (payload: Schema) =>
    loadContractDocuments([
      {
        file: 'c.yaml',
        text: JSON.stringify({
          asyncapi: '3.0.0',
          info: { title: 't', version: '1' },
          channels: { c: { address: 'market.orders', messages: { order: { payload } } } },
        }),
      },
    ]);
  return diffContracts(set(oldP), set(newP)).map((c) => [c.kind, c.path, c.breaks]);
}

const card = (more: Schema = {}, required = ['kind', 'number']): Schema => ({
  type: 'object',
  required,
  properties: { kind: { const: 'card' }, number: { type: 'string' }, ...more },
});
const iban = (more: Schema = {}): Schema => ({
  type: 'object',
  required: ['kind', 'iban'],
  properties: { kind: { const: 'iban' }, iban: { type: 'string' }, ...more },
});
const payment = (kw: string, branches: Schema[]): Schema => ({ type: 'object', properties: { payment: { [kw]: branches } } });

test('oneOf branches are paired by their discriminator and walked field by field', () => {
  // The branches swap places, and the card branch gets a new required field: one change, in the card branch.
  assert.deepEqual(diff(payment('oneOf', [card(), iban()]), payment('oneOf', [iban(), card({ cvc: { type: 'string' } }, ['kind', 'number', 'cvc'])])), [
    ['required-property-added', '/payment/{oneOf:card}/cvc', 'producers'],
  ]);
});

test('a removed branch breaks producers, an added one consumers (anyOf and discriminated oneOf)', () => {
  assert.deepEqual(diff(payment('anyOf', [card(), iban()]), payment('anyOf', [card()])), [['branch-removed', '/payment/{anyOf:iban}', 'producers']]);
  assert.deepEqual(diff(payment('oneOf', [card()]), payment('oneOf', [card(), iban()])), [['branch-added', '/payment/{oneOf:iban}', 'consumers']]);
});

test('a widening inside a oneOf without discriminator breaks producers: a message may now match two branches', () => {
  const old = payment('oneOf', [{ type: 'string', maxLength: 8 }, { type: 'integer' }]);
  const wider = payment('oneOf', [{ type: 'string', maxLength: 16 }, { type: 'integer' }]);
  assert.deepEqual(diff(old, wider), [['maxLength-raised', '/payment/{oneOf:0}', 'producers']]);
  // The same widening under anyOf breaks consumers only.
  assert.deepEqual(
    diff(payment('anyOf', [{ type: 'string', maxLength: 8 }, { type: 'integer' }]), payment('anyOf', [{ type: 'string', maxLength: 16 }, { type: 'integer' }])),
    [['maxLength-raised', '/payment/{anyOf:0}', 'consumers']],
  );
});

test('branches are also paired by title; allOf members are walked the same way', () => {
  const titled = (t: string, max: number): Schema => ({ title: t, type: 'number', maximum: max });
  assert.deepEqual(diff(payment('anyOf', [titled('small', 10), titled('big', 100)]), payment('anyOf', [titled('big', 50), titled('small', 10)])), [
    ['maximum-lowered', '/payment/{anyOf:big}', 'producers'],
  ]);
  assert.deepEqual(
    diff(payment('allOf', [{ type: 'object' }, { required: ['a'] }]), payment('allOf', [{ type: 'object' }, { required: ['a'] }, { required: ['b'] }])),
    [['branch-added', '/payment/{allOf:2}', 'producers']],
  );
});

test('a combinator in one version only is still one whole-keyword change', () => {
  const changes = diff(payment('anyOf', [card()]), { type: 'object', properties: { payment: card() } });
  assert.deepEqual(
    changes.filter((c) => c[0].startsWith('anyOf')),
    [['anyOf-removed', '/payment', 'consumers']],
  );
});

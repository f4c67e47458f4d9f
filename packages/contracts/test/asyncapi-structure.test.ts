import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createAsyncApiStructureValidator } from '../src/index.js';
import { fixture, officialExamples } from './helpers.js';

describe('structure against the official AsyncAPI 3 JSON Schema', () => {
  const validator = createAsyncApiStructureValidator();

  it('accepts every official AsyncAPI 3 example', () => {
    const dir = officialExamples;
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length >= 19);
    for (const f of files)
      assert.deepEqual(
        validator.check(join(dir, f), readFileSync(join(dir, f), 'utf8')).map((e) => e.message),
        [],
        f,
      );
  });

  it('accepts the fixtures of this package', () => {
    for (const f of ['market/market-data.yaml', 'multi-file/services/shop.yaml']) {
      assert.deepEqual(
        validator.check(fixture(f), readFileSync(fixture(f), 'utf8')).map((e) => e.message),
        [],
        f,
      );
    }
  });

  it('names file, line:column, JSON pointer and the fix for each problem, in document order', () => {
    const text = `asyncapi: 3.0.0
info:
  title: shop
channels:
  orders:
    address: 5
    adress: orders.created
    messages:
      created:
        contentType: 7
        payload: { type: object }
operations:
  placeOrder:
    action: shout
    channel: { $ref: '#/channels/orders' }
`;
    const problems = validator.check('shop.yaml', text);
    assert.deepEqual(
      problems.map((p) => [p.line, p.pointer]),
      [
        [2, '/info'],
        [6, '/channels/orders/address'],
        [7, '/channels/orders/adress'],
        [10, '/channels/orders/messages/created/contentType'],
        [14, '/operations/placeOrder/action'],
      ],
    );
    assert.equal(
      problems[0]!.message,
      'shop.yaml:2:1 at #/info: "info" lacks the required field "version" (AsyncAPI 3 schema). Fix: add "version" to "info" (see https://www.asyncapi.com/docs/reference/specification/v3.0.0)',
    );
    assert.match(problems[2]!.problem, /"adress" is not a field AsyncAPI 3 allows in "orders"/);
    assert.match(problems[2]!.fix, /rename it "x-adress"/);
    assert.match(problems[4]!.message, /"action" is "shout", not one of "send", "receive". Fix: use one of "send", "receive"/);
  });

  it('says nothing about what is not an AsyncAPI 3 document (the loader reports that)', () => {
    assert.deepEqual(validator.check('a.yaml', 'asyncapi: 2.6.0\n'), []);
    assert.deepEqual(validator.check('b.yaml', 'just: data\n'), []);
    assert.deepEqual(validator.check('c.yaml', 'asyncapi: [\n'), []);
  });
});

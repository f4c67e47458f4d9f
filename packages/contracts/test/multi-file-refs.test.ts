import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadContractDocuments, loadContracts } from '../src/index.js';
import { fixture, officialExamples } from './helpers.js';

test('relative $refs across files resolve, including recursive schemas', async () => {
  const set = await loadContracts(fixture('multi-file'));
  assert.deepEqual(set.sources, [
    fixture('multi-file/services/billing.json'),
    fixture('multi-file/services/shop.yaml'),
    fixture('multi-file/common/messages.yaml'),
    fixture('multi-file/common/schemas.yaml'),
  ]);
  const order = { orderId: 'o-1', total: { amount: 10, currency: 'EUR' }, lines: [{ sku: 'a', qty: 1, children: [{ sku: 'b', qty: 2 }] }] };
  assert.equal(set.validate('shop.orders', 'order.placed', order), undefined);
  const bad = { orderId: 'o', total: { amount: -1, currency: 'JPY' }, lines: [{ sku: 'a', qty: 1, children: [{ sku: 'b', qty: 0 }] }] };
  assert.deepEqual(
    set.validate('shop.orders', 'order.placed', bad)?.details.map(({ path, rule, expected }) => ({ path, rule, expected })),
    [
      { path: '/orderId', rule: 'minLength', expected: 3 },
      { path: '/total/amount', rule: 'minimum', expected: 0 },
      { path: '/total/currency', rule: 'enum', expected: ['EUR', 'USD', 'GBP'] },
      { path: '/lines/0/children/0/qty', rule: 'minimum', expected: 1 },
    ],
  );
});

test('a referenced file outside the given documents is read from disk', () => {
  const file = fixture('multi-file/services/shop.yaml');
  const set = loadContractDocuments([{ file, text: readFileSync(file, 'utf8') }]);
  assert.deepEqual(set.channel('shop.orders')?.messageTypes, ['order.placed']);
  assert.deepEqual(set.sources, [file, fixture('multi-file/common/messages.yaml'), fixture('multi-file/common/schemas.yaml')]);
});

test('the bundled payload schema is self-contained', async () => {
  const set = await loadContracts(fixture('multi-file'));
  const schema = set.channel('shop.orders')?.message('order.placed')?.schema;
  assert.ok(schema && typeof schema === 'object');
  const text = JSON.stringify(schema);
  assert.doesNotMatch(text, /schemas\.yaml/);
  assert.match(text, /"\$ref":"#\/definitions\/s\d+"/);
});

test('the AsyncAPI social-media example (5 services, shared common/ files) loads', async () => {
  const set = await loadContracts(join(officialExamples, 'social-media'));
  assert.deepEqual(
    set.channels().map((c) => [c.address, [...c.messageTypes], c.declarations.length]),
    [
      ['comment/liked', ['commentLiked'], 4],
      ['like/comment', ['likeComment'], 2],
      ['comment/{commentId}/changed', ['commentChanged'], 2],
      ['update/comment/likes', ['updateCommentLikes'], 2],
    ],
  );
  assert.equal(set.sources.length, 8);
  assert.equal(set.validate('comment/c42/changed', 'commentChanged', { commentId: 'c42', likeCount: 3 }), undefined);
  assert.deepEqual(
    set.validate('comment/c42/changed', 'commentChanged', { commentId: 42, likeCount: 3, by: 'x' })?.details.map((d) => [d.path, d.rule]),
    [
      ['/by', 'additionalProperties'],
      ['/commentId', 'type'],
    ],
  );
});

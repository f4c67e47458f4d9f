import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { checkOperationMessages, loadContracts } from '../src/index.js';
import { officialExamples } from './helpers.js';

const DOC = `asyncapi: 3.0.0
info:
  title: ops
  version: 1.0.0
channels:
  ticks:
    address: market.ticks
    messages:
      tick:
        payload: { type: object }
  news:
    address: market.news
    messages:
      headline:
        payload: { type: object }
operations:
  publishTicks:
    action: send
    channel:
      $ref: '#/channels/ticks'
    messages:
      - $ref: '#/channels/ticks/messages/tick'
      - $ref: '#/channels/news/messages/headline'
  readNews:
    action: receive
    channel:
      $ref: '#/channels/news'
    messages:
      - $ref: '#/channels/news/messages/headline'
    reply:
      channel:
        $ref: '#/channels/news'
      messages:
        - $ref: '#/channels/ticks/messages/tick'
`;

test('an operation message that is not a message of its channel is reported with place and fix', () => {
  const problems = checkOperationMessages([{ file: 'ops.yaml', text: DOC }]);
  assert.deepEqual(
    problems.map((p) => [p.file, p.pointer, p.line, p.column]),
    [
      ['ops.yaml', '/operations/publishTicks/messages/1/$ref', 23, 9],
      ['ops.yaml', '/operations/readNews/reply/messages/0/$ref', 34, 11],
    ],
  );
  assert.match(
    problems[0]!.problem,
    /operation "publishTicks" lists message "#\/channels\/news\/messages\/headline", which is not a message of its channel "#\/channels\/ticks"/,
  );
  assert.match(problems[0]!.fix, /#\/channels\/ticks\/messages\/tick/);
  assert.match(problems[1]!.problem, /reply of operation "readNews"/);
});

test('a document whose operations are right gives no problems; non-AsyncAPI files are ignored', () => {
  const good = DOC.replace("      - $ref: '#/channels/news/messages/headline'\n  readNews", '  readNews').replace(/reply:[\s\S]*$/, '');
  assert.deepEqual(checkOperationMessages([{ file: 'ops.yaml', text: good }]), []);
  assert.deepEqual(checkOperationMessages([{ file: 'schemas.yaml', text: 'Tick: { type: object }\n' }]), []);
});

test('official AsyncAPI examples (single-file and multi-file) have their operations right', async () => {
  const set = await loadContracts(join(officialExamples, 'social-media'));
  assert.ok(set.channels().length > 0);
  const files = [
    'adeo-kafka-request-reply-asyncapi.yml',
    'simple-asyncapi.yml',
    'rpc-server-asyncapi.yml',
    'streetlights-kafka-asyncapi.yml',
    'slack-rtm-asyncapi.yml',
    'kraken-websocket-request-reply-multiple-channels-asyncapi.yml',
    'social-media/backend/asyncapi.yaml',
    'social-media/frontend/asyncapi.yaml',
  ].map((f) => join(officialExamples, f));
  for (const file of files) {
    assert.deepEqual(
      checkOperationMessages([{ file, text: readFileSync(file, 'utf8') }]).map((p) => p.message),
      [],
      relative(officialExamples, file),
    );
  }
});

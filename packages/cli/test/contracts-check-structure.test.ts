import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContractProblem } from '@switchboard/contracts';
import { runCli, tempFiles } from './support/cli.js';

test('contracts check validates against the official AsyncAPI 3 JSON Schema, naming file, line, pointer and fix', () => {
  const files = tempFiles('sb-check-structure-');
  const file = files.write(
    'orders.yaml',
    `asyncapi: 3.0.0
info: { title: orders, version: 1.0.0 }
channels:
  orders:
    address: orders.created
    messages:
      created:
        payload: { type: object }
operations:
  placeOrder:
    action: publish
    channel: { $ref: '#/channels/orders' }
`,
  );
  const r = runCli(['contracts', 'check', file]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, /FAIL {2}.*orders\.yaml/);
  assert.match(r.stderr, /orders\.yaml:11:5 at #\/operations\/placeOrder\/action: "action" is "publish", not one of "send", "receive"/);
  assert.match(r.stderr, /fix: use one of "send", "receive"/);
  const json = JSON.parse(runCli(['contracts', 'check', file, '--json']).stdout) as { documents: { problems: ContractProblem[] }[] };
  assert.deepEqual(
    json.documents[0].problems.map((p) => [p.pointer, p.line]),
    [['/operations/placeOrder/action', 11]],
  );
});

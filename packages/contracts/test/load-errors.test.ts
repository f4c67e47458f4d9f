import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ContractLoadError, loadContractDocuments, loadContracts } from '../src/index.js';
import { loadError, loadErrorAsync } from './helpers.js';

const HEAD = 'asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\n';
const load = (text: string, file = 'contracts/c.yaml') => loadError(() => loadContractDocuments([{ file, text }]));

/** A one-channel document whose message `m` has the given payload lines (indented 8). */
const withPayload = (payloadLines: string, extra = '') =>
  `${HEAD}channels:\n  a:\n    address: a.b\n    messages:\n      m:\n        payload:\n${payloadLines}${extra}`;

test('ContractLoadError carries file, pointer, line, column, problem and fix, and its message names them all', () => {
  const err = load(withPayload("          $ref: '#/components/schemas/Nope'\n"));
  assert.ok(err instanceof ContractLoadError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ContractLoadError');
  assert.equal(err.file, 'contracts/c.yaml');
  assert.equal(err.pointer, '/channels/a/messages/m/payload/$ref');
  assert.equal(err.line, 9);
  assert.equal(err.column, 11);
  assert.equal(err.problem, '$ref "#/components/schemas/Nope" points at nothing: contracts/c.yaml has no #/components/schemas/Nope');
  assert.equal(err.fix, 'correct the $ref, or add #/components/schemas/Nope to contracts/c.yaml');
  assert.equal(err.message, `contracts/c.yaml:9:11 at #/channels/a/messages/m/payload/$ref: ${err.problem}. Fix: ${err.fix}`);
});

test('a missing contracts directory', async () => {
  const err = await loadErrorAsync(() => loadContracts('/nonexistent/contracts'));
  assert.equal(err.file, '/nonexistent/contracts');
  assert.match(err.message, /the contracts directory cannot be read \(ENOENT\)/);
  assert.match(err.fix, /create the directory/);
});

test('an unreadable file in the contracts directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-contracts-'));
  try {
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'broken.yaml'));
    const err = await loadErrorAsync(() => loadContracts(dir));
    assert.equal(err.file, join(dir, 'broken.yaml'));
    assert.equal(err.pointer, '');
    assert.match(err.message, /broken\.yaml: the file cannot be read \(ENOENT\)\. Fix: make the file readable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable file named by a $ref', () => {
  const err = loadError(() =>
    loadContractDocuments([{ file: 'contracts/c.yaml', text: withPayload("          $ref: './common/tick.yaml#/Tick'\n") }], {
      readFile: () => {
        throw Object.assign(new Error('denied'), { code: 'EACCES' });
      },
    }),
  );
  assert.equal(err.pointer, '/channels/a/messages/m/payload/$ref');
  assert.equal(err.problem, '$ref "./common/tick.yaml#/Tick" names contracts/common/tick.yaml, which cannot be read (EACCES)');
  assert.match(err.fix, /correct the path of the \$ref \(it is relative to the file that holds it\)/);
});

test('invalid YAML, with line and column', () => {
  const err = load(`${HEAD}channels:\n  a:\n    address: x\n   messages: {}\n`);
  assert.deepEqual([err.file, err.pointer, err.line, err.column], ['contracts/c.yaml', '', 6, 1]);
  assert.match(err.message, /^contracts\/c\.yaml:6:1: invalid YAML: .+\. Fix: correct the YAML syntax at line 6, column 1$/);
});

test('a repeated YAML key', () => {
  const err = load(`${HEAD}channels:\n  a: {address: x}\n  a: {address: y}\n`);
  assert.deepEqual([err.line, err.column], [5, 3]);
  assert.equal(err.fix, 'remove or rename the repeated key');
});

test('invalid JSON, with line and column', () => {
  const err = load('{\n  "asyncapi": "3.0.0",\n  "channels": {\n    "a": { "address": "x" }\n  \n', 'contracts/c.json');
  assert.equal(err.file, 'contracts/c.json');
  assert.equal(err.line, 6);
  assert.match(err.message, /^contracts\/c\.json:6:1: invalid JSON: .+\. Fix: correct the JSON syntax at line 6, column 1$/);
});

test('an AsyncAPI 2.x document gets a conversion fix', () => {
  const err = load("asyncapi: '2.6.0'\ninfo: {title: t, version: 1.0.0}\nchannels: {}\n", 'contracts/old.yaml');
  assert.deepEqual([err.file, err.pointer, err.line], ['contracts/old.yaml', '/asyncapi', 1]);
  assert.equal(err.problem, 'this is an AsyncAPI 2.6.0 document; Switchboard reads AsyncAPI 3.x');
  assert.match(err.fix, /npx @asyncapi\/cli convert contracts\/old\.yaml --target-version=3\.0\.0/);
});

test('a document whose asyncapi version is not 3.x', () => {
  const err = load('asyncapi: banana\n');
  assert.equal(err.pointer, '/asyncapi');
  assert.equal(err.fix, "set asyncapi: '3.0.0' at the top of the document");
});

test('a broken local $ref to a message', () => {
  const err = load(`${HEAD}channels:\n  a:\n    address: a.b\n    messages:\n      m:\n        $ref: '#/components/messages/missing'\n`);
  assert.deepEqual([err.pointer, err.line, err.column], ['/channels/a/messages/m/$ref', 8, 9]);
  assert.match(err.problem, /points at nothing/);
});

test('a broken $ref inside a payload schema', () => {
  const err = load(
    withPayload(
      "          type: object\n          properties:\n            x:\n              $ref: '#/components/schemas/Nope'\n",
      'components:\n  schemas: {}\n',
    ),
  );
  assert.equal(err.pointer, '/channels/a/messages/m/payload/properties/x/$ref');
  assert.equal(err.line, 12);
});

test('a broken $ref into another file names the file it looked in', () => {
  const err = loadError(() =>
    loadContractDocuments([
      { file: 'contracts/c.yaml', text: withPayload("          $ref: './common.yaml#/Tick'\n") },
      { file: 'contracts/common.yaml', text: 'Tock: {type: object}\n' },
    ]),
  );
  assert.equal(err.file, 'contracts/c.yaml');
  assert.equal(err.problem, '$ref "./common.yaml#/Tick" points at nothing: contracts/common.yaml has no #/Tick');
});

test('a broken $ref in an operation', () => {
  const err = load(`${HEAD}channels:\n  a:\n    address: a\noperations:\n  o:\n    action: send\n    channel:\n      $ref: '#/channels/b'\n`);
  assert.equal(err.pointer, '/operations/o/channel/$ref');
});

test('a remote $ref is refused with a fix', () => {
  const err = load(withPayload("          $ref: 'https://example.com/tick.json'\n"));
  assert.equal(err.problem, 'remote $ref "https://example.com/tick.json" is not fetched');
  assert.match(err.fix, /relative path/);
});

test('a $ref loop', () => {
  const err = load(`${HEAD}channels:\n  a:\n    $ref: '#/components/channels/b'\ncomponents:\n  channels:\n    b:\n      $ref: '#/channels/a'\n`);
  assert.match(err.problem, /loops back/);
});

test('a payload schema that is not valid JSON Schema points at the keyword, even in another component', () => {
  const err = load(
    withPayload(
      "          $ref: '#/components/schemas/T'\n",
      'components:\n  schemas:\n    T:\n      type: object\n      properties:\n        bid:\n          type: numbr\n',
    ),
  );
  assert.deepEqual([err.pointer, err.line, err.column], ['/components/schemas/T/properties/bid/type', 16, 11]);
  assert.match(err.problem, /^the payload schema is invalid: "type" must be equal to one of the allowed values \("array", "boolean"/);
  assert.equal(err.fix, 'correct "type" so the schema is valid JSON Schema draft-07');
});

test('an invalid regular expression in a payload schema', () => {
  const err = load(withPayload("          type: string\n          pattern: '(['\n"));
  assert.equal(err.pointer, '/channels/a/messages/m/payload/pattern');
  assert.match(err.problem, /the regular expression "\(\[" is invalid/);
});

test('a non-JSON Schema payload format (Avro) is refused', () => {
  const err = load(
    withPayload('          schemaFormat: application/vnd.apache.avro;version=1.9.0\n          schema: {type: record, name: Tick, fields: []}\n'),
  );
  assert.equal(err.pointer, '/channels/a/messages/m/payload/schemaFormat');
  assert.equal(err.problem, 'payload schema format "application/vnd.apache.avro;version=1.9.0" is not JSON Schema, so the hub cannot validate it');
  assert.match(err.fix, /application\/schema\+json;version=draft-07/);
});

test('JSON Schema draft-04 is refused with what to change', () => {
  const err = load(withPayload('          schemaFormat: application/schema+json;version=draft-04\n          schema: {type: object}\n'));
  assert.equal(err.problem, 'JSON Schema version "draft-04" is not supported');
  assert.match(err.fix, /version=draft-07/);
});

test('an address that cannot be a channel name', () => {
  for (const [address, why] of [
    ['market ticks', /character outside/],
    ['$dlq.market.ticks', /reserved for the hub/],
    ['market.*', /wildcards/],
    ['rooms.{id', /unbalanced/],
  ] as const) {
    const err = load(`${HEAD}channels:\n  a:\n    address: '${address}'\n`);
    assert.equal(err.pointer, '/channels/a/address');
    assert.match(err.problem, why);
  }
});

test('channels that is not a mapping', () => {
  const err = load(`${HEAD}channels: [a]\n`);
  assert.equal(err.pointer, '/channels');
  assert.match(err.fix, /write channels as a mapping/);
});

test('an error in a JSON document still has line and column', () => {
  const text = JSON.stringify({ asyncapi: '3.0.0', channels: { a: { address: 'a', messages: { m: { $ref: '#/nope' } } } } }, null, 2);
  const err = load(text, 'contracts/c.json');
  assert.deepEqual([err.pointer, err.line, err.column], ['/channels/a/messages/m/$ref', 8, 11]);
});

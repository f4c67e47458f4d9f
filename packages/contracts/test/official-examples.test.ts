import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ContractLoadError, loadContractDocuments, loadContracts } from '../src/index.js';
import { loadError, officialExamples as dir } from './helpers.js';

const load = (name: string, skipUnsupported = false) => {
  const file = join(dir, name);
  return loadContractDocuments([{ file, text: readFileSync(file, 'utf8') }], skipUnsupported ? { unsupportedSchemaFormats: 'skip' } : {});
};

/** Every single-file example whose payloads are JSON Schema, with the channel addresses it declares. */
const EXPECTED: Record<string, string[]> = {
  'anyof-asyncapi.yml': ['test'],
  'application-headers-asyncapi.yml': ['smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured'],
  'correlation-id-asyncapi.yml': [
    'smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured',
    'smartylighting/streetlights/1/0/action/{streetlightId}/dim',
  ],
  'gitter-streaming-asyncapi.yml': ['/rooms/{roomId}/{resource}'],
  'kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml': ['/'],
  'kraken-websocket-request-reply-multiple-channels-asyncapi.yml': ['/'],
  'mercure-asyncapi.yml': ['https://example.com/books/{id}'],
  'not-asyncapi.yml': ['test'],
  'oneof-asyncapi.yml': ['test', 'test2'],
  'operation-security-asyncapi.yml': ['AUTHORIZATION_REVOCATION'],
  'rpc-client-asyncapi.yml': ['{queue}', 'rpc_queue'],
  'rpc-server-asyncapi.yml': ['{queue}', 'rpc_queue'],
  'simple-asyncapi.yml': ['user/signedup'],
  'slack-rtm-asyncapi.yml': ['/'],
  'streetlights-kafka-asyncapi.yml': [
    'smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured',
    'smartylighting.streetlights.1.0.action.{streetlightId}.turn.on',
    'smartylighting.streetlights.1.0.action.{streetlightId}.turn.off',
    'smartylighting.streetlights.1.0.action.{streetlightId}.dim',
  ],
  'streetlights-mqtt-asyncapi.yml': [
    'smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured',
    'smartylighting/streetlights/1/0/action/{streetlightId}/turn/on',
    'smartylighting/streetlights/1/0/action/{streetlightId}/turn/off',
    'smartylighting/streetlights/1/0/action/{streetlightId}/dim',
  ],
  'streetlights-operation-security-asyncapi.yml': [
    'smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured',
    'smartylighting.streetlights.1.0.action.{streetlightId}.turn.on',
    'smartylighting.streetlights.1.0.action.{streetlightId}.turn.off',
    'smartylighting.streetlights.1.0.action.{streetlightId}.dim',
  ],
  'websocket-gemini-asyncapi.yml': ['/v1/marketdata/{symbol}'],
};

test('the list above covers every official single-file example but the Avro one', () => {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  assert.deepEqual(
    files.filter((f) => !(f in EXPECTED)),
    ['adeo-kafka-request-reply-asyncapi.yml'],
  );
});

for (const [name, addresses] of Object.entries(EXPECTED)) {
  test(`official example ${name} loads`, () => {
    const set = load(name);
    assert.deepEqual(
      set.channels().map((c) => c.address),
      addresses,
    );
    for (const c of set.channels()) for (const t of c.messageTypes) assert.ok(c.message(t));
  });
}

test('the examples directory as one set is refused: two unrelated examples give channel "test" different payloads', async () => {
  const err = await loadContracts(dir, { unsupportedSchemaFormats: 'skip' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ContractLoadError);
  assert.equal(err.file, join(dir, 'not-asyncapi.yml'));
  assert.equal(err.pointer, '/components/messages/testMessages/payload');
  assert.match(
    err.message,
    /message type "testMessages" of channel "test" has a different payload schema here than in .*anyof-asyncapi\.yml:21 at #\/components\/messages\/testMessages\/payload/,
  );
});

test('the Adeo example (Avro payloads) is refused by default, naming the schema format', () => {
  const err = loadError(() => load('adeo-kafka-request-reply-asyncapi.yml'));
  assert.ok(err instanceof ContractLoadError);
  assert.equal(err.pointer, '/components/messages/costingRequestV1/payload/schemaFormat');
  assert.match(err.message, /application\/vnd\.apache\.avro;version=1\.9\.0" is not JSON Schema/);
  assert.match(err.fix, /unsupportedSchemaFormats: 'skip'/);
});

test('the Adeo example loads with unsupportedSchemaFormats: skip; a null address falls back to the channel key', () => {
  const set = load('adeo-kafka-request-reply-asyncapi.yml', true);
  assert.deepEqual(
    set.channels().map((c) => c.address),
    ['adeo-{env}-case-study-COSTING-REQUEST-{version}', 'costingResponseChannel'],
  );
  assert.deepEqual(set.channel('costingResponseChannel')?.messageTypes, ['CostingResponse']);
  assert.equal(set.channel('costingResponseChannel')?.message('CostingResponse')?.validated, false);
  assert.equal(set.validate('adeo-prod-case-study-COSTING-REQUEST-v1', 'CostingRequestV1', 'anything'), undefined);
  assert.equal(set.warnings.length, 2);
});

test('official examples validate real messages', () => {
  const lights = load('streetlights-kafka-asyncapi.yml');
  const ch = 'smartylighting.streetlights.1.0.event.lamp-7.lighting.measured';
  assert.equal(lights.validate(ch, 'lightMeasured', { lumens: 3, sentAt: '2026-11-21T10:00:00Z' }), undefined);
  assert.deepEqual(
    lights.validate(ch, 'lightMeasured', { lumens: -1, sentAt: 'now' })?.details.map((d) => [d.path, d.rule]),
    [
      ['/lumens', 'minimum'],
      ['/sentAt', 'format'],
    ],
  );
  const gitter = load('gitter-streaming-asyncapi.yml');
  assert.equal(gitter.validate('/rooms/53307860c3599d1de448e19d/events', 'heartbeat', '\r\n'), undefined);
  assert.equal(gitter.validate('/rooms/r1/events', 'heartbeat', 'x')?.details[0]?.rule, 'enum');
  assert.equal(gitter.channel('/rooms/r1/other'), undefined);
  const not = load('not-asyncapi.yml');
  assert.equal(not.validate('test', 'testMessages', { key: 'a' }), undefined);
  assert.equal(not.validate('test', 'testMessages', { key: 1 })?.details[0]?.rule, 'not');
});

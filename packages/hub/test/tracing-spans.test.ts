// Traces of the publish and delivery paths, exported over OTLP/HTTP to a real receiver (a node:http server that
// decodes the JSON encoding): span names, kinds, attributes, and the parent of each span, from the publisher's
// `meta.traceparent` through the publish span to each delivery.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createHub, createSqliteStore, defaultConfig, type Hub, type TracingSettings } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { OtlpSpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

async function startTracedHub(tracing: TracingSettings | false): Promise<{ hub: Hub; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-tracing-'));
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const config = { ...defaultConfig(), auth: { dev: true }, nodeId: 'node-t' };
  config.channels = [{ match: 'live.>', settings: { mode: 'ephemeral' } }];
  const hub = createHub({ config, store, logger: pino({ level: 'silent' }), tracing });
  const { port } = await hub.listen(0);
  return {
    hub,
    url: `ws://127.0.0.1:${port}/v1/ws`,
    async stop() {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `messaging.<name>` attributes of a span, by `<name>`. */
function attributes(span: ReceivedSpan, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, span.attributes[`messaging.${n}`]]));
}

/** The raw text of the next `msg` frame of `client`. */
function nextMessageText(client: RawClient): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (!text.startsWith('{"op":"msg"')) return;
      client.ws.off('message', onMessage);
      resolve(text);
    };
    client.ws.on('message', onMessage);
  });
}

describe('tracing on (http/json)', () => {
  let receiver: OtlpReceiver;
  let node: Awaited<ReturnType<typeof startTracedHub>>;
  before(async () => {
    receiver = await startOtlpReceiver();
    node = await startTracedHub({ url: `${receiver.endpoint}/v1/traces`, protocol: 'http/json', serviceName: 'hub-under-test', scheduledDelayMillis: 20 });
  });
  after(async () => {
    await node.stop();
    await receiver.close();
  });

  it('continues the publisher trace: publish (PRODUCER) → append → process (CONSUMER), and the envelope carries the publish span', async () => {
    const { client: engine } = await RawClient.connect(node.url, 'core-engine');
    const sub = await engine.call({ op: 'sub', ch: 'orders.new', group: 'engines', from: 'latest' });
    const { client: bridge } = await RawClient.connect(node.url, 'data-bridge');
    const delivered = nextMessageText(engine);
    // The meta text keeps a number that a double would round, and its own (caller's) traceparent.
    const frame = `{"op":"pub","id":7,"ch":"orders.new","type":"order","data":{"qty": 12345678901234567890},"meta":{"correlation_id":"c-42", "big": 98765432109876543210,"traceparent":"00-${TRACE_ID}-${CALLER_SPAN}-01"}}`;
    bridge.send(frame);
    const ok = await bridge.next((f) => f.re === 7);
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    const text = await delivered;
    assert.ok(text.includes('"data":{"qty": 12345678901234567890}'), text);
    assert.ok(text.includes('"meta":{"correlation_id":"c-42", "big": 98765432109876543210,"traceparent":"00-'), text);
    const msg = (JSON.parse(text) as { msg: { id: string; meta: { traceparent: string } } }).msg;
    const [version, traceId, publishSpanId, flags] = msg.meta.traceparent.split('-');
    assert.deepEqual([version, traceId, flags], ['00', TRACE_ID, '01']);
    assert.notEqual(publishSpanId, CALLER_SPAN);

    const publish = await receiver.span((s) => s.name === 'publish orders.new', 'the publish span');
    assert.equal(publish.kind, OtlpSpanKind.PRODUCER);
    assert.equal(publish.traceId, TRACE_ID);
    assert.equal(publish.parentSpanId, CALLER_SPAN, 'the publish span continues the publisher trace');
    assert.equal(publish.spanId, publishSpanId, 'the envelope carries the publish span');
    assert.deepEqual(attributes(publish, 'system', 'destination.name', 'message.id', 'operation.type', 'client.id', 'message.conversation_id'), {
      system: 'switchboard',
      'destination.name': 'orders.new',
      'message.id': msg.id,
      'operation.type': 'publish',
      'client.id': 'data-bridge',
      'message.conversation_id': 'c-42',
    });
    assert.equal(publish.attributes['switchboard.seq'], 1);
    assert.equal(publish.resource['service.name'], 'hub-under-test');
    assert.equal(publish.resource['service.instance.id'], 'node-t');

    const append = await receiver.span((s) => s.name === 'append orders.new', 'the store append span');
    assert.equal(append.kind, OtlpSpanKind.INTERNAL);
    assert.equal(append.traceId, TRACE_ID);
    assert.equal(append.parentSpanId, publish.spanId);
    assert.equal(append.attributes['switchboard.store'], 'sqlite');

    const processSpan = await receiver.span((s) => s.name === 'process orders.new', 'the process span');
    assert.equal(processSpan.kind, OtlpSpanKind.CONSUMER);
    assert.equal(processSpan.traceId, TRACE_ID);
    assert.equal(processSpan.parentSpanId, publish.spanId, 'the delivery is a child of the publish');
    assert.deepEqual(
      attributes(
        processSpan,
        'system',
        'destination.name',
        'message.id',
        'operation.type',
        'consumer.group.name',
        'destination.subscription.name',
        'client.id',
      ),
      {
        system: 'switchboard',
        'destination.name': 'orders.new',
        'message.id': msg.id,
        'operation.type': 'process',
        'consumer.group.name': 'engines',
        'destination.subscription.name': sub.sub,
        'client.id': 'core-engine',
      },
    );
    await engine.close();
    await bridge.close();
  });

  it('starts a trace of its own for a publish without traceparent, on an ephemeral channel too (no append span)', async () => {
    const { client: watcher } = await RawClient.connect(node.url, 'watcher');
    await watcher.call({ op: 'sub', ch: 'live.prices', from: 'latest' });
    const { client: bridge } = await RawClient.connect(node.url, 'data-bridge');
    const ok = await bridge.call({ op: 'pub', ch: 'live.prices', type: 'price', data: { p: 1 } });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    const msg = await watcher.next((f) => f.op === 'msg');
    const traceparent = (msg.msg.meta as { traceparent: string }).traceparent;
    assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const publish = await receiver.span((s) => s.name === 'publish live.prices', 'the publish span');
    assert.equal(publish.parentSpanId, '', 'a root span');
    assert.equal(traceparent, `00-${publish.traceId}-${publish.spanId}-01`);
    assert.equal(publish.attributes['switchboard.channel.durable'], false);
    const processSpan = await receiver.span((s) => s.name === 'process live.prices', 'the process span');
    assert.equal(processSpan.parentSpanId, publish.spanId);
    assert.equal(
      receiver.spans().some((s) => s.name === 'append live.prices'),
      false,
    );
    await watcher.close();
    await bridge.close();
  });

  it('sends the requests to /v1/traces as application/json', () => {
    assert.ok(receiver.requests.length > 0);
    for (const r of receiver.requests) {
      assert.equal(r.path, '/v1/traces');
      assert.match(r.contentType, /^application\/json/);
    }
  });
});

describe('tracing on (http/protobuf)', () => {
  it('exports protobuf requests to the receiver', async () => {
    const receiver = await startOtlpReceiver();
    const node = await startTracedHub({ url: `${receiver.endpoint}/v1/traces`, protocol: 'http/protobuf', serviceName: 'hub-proto', scheduledDelayMillis: 20 });
    try {
      const { client } = await RawClient.connect(node.url, 'data-bridge');
      assert.equal((await client.call({ op: 'pub', ch: 'orders.proto', type: 'order', data: { n: 1 } })).op, 'ok');
      await client.close();
      const deadline = Date.now() + 10_000;
      while (receiver.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const [request] = receiver.requests;
      assert.ok(request, 'a request arrived');
      assert.equal(request.path, '/v1/traces');
      assert.equal(request.contentType, 'application/x-protobuf');
      assert.ok(request.body.length > 0);
      // The span name is a protobuf string field: its UTF-8 bytes are in the body as they are.
      assert.ok(request.body.includes(Buffer.from('publish orders.proto')));
      assert.ok(request.body.includes(Buffer.from('hub-proto')));
    } finally {
      await node.stop();
      await receiver.close();
    }
  });
});

describe('tracing off', () => {
  it('adds nothing to the envelope and exports nothing', async () => {
    const receiver = await startOtlpReceiver();
    const node = await startTracedHub(false);
    try {
      const { client: watcher } = await RawClient.connect(node.url, 'watcher');
      await watcher.call({ op: 'sub', ch: 'orders.off', from: 'latest' });
      const delivered = nextMessageText(watcher);
      const { client: bridge } = await RawClient.connect(node.url, 'data-bridge');
      bridge.send(`{"op":"pub","id":1,"ch":"orders.off","type":"order","data":{"n":1},"meta":{"traceparent":"00-${TRACE_ID}-${CALLER_SPAN}-01"}}`);
      assert.ok((await delivered).endsWith(`"meta":{"traceparent":"00-${TRACE_ID}-${CALLER_SPAN}-01"}}}`), 'the publisher meta as sent');
      await watcher.close();
      await bridge.close();
      assert.equal(receiver.requests.length, 0);
    } finally {
      await node.stop();
      await receiver.close();
    }
  });
});

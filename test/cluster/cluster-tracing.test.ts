// Traces across two hub nodes sharing one nats-server: a message published on node 1 and delivered on node 2
// (announced over the cluster bus) continues one trace, the process span on node 2 a child of node 1's publish.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { OtlpSpanKind, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('traces across two hub nodes', { skip: NO_NATS }, () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
  });
  const fx = useCluster(2, undefined, {
    env: () => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'switchboard-cluster',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    }),
  });

  it('a delivery on node 2 is a child of the publish span of node 1, and carries its traceparent', async () => {
    const { client: consumer } = await fx.session(1, 'core-engine');
    const sub = await consumer.call({ op: 'sub', ch: 'cl.traced', from: 'latest' });
    assert.equal(sub.op, 'ok', JSON.stringify(sub));
    const { client: publisher } = await fx.session(0, 'data-bridge');
    const ok = await publisher.call({ op: 'pub', ch: 'cl.traced', type: 'order', data: { n: 1 }, meta: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    const msg = await consumer.next((f) => f.op === 'msg', 15_000);

    const publish = await receiver.span((s) => s.name === 'publish cl.traced', 'the publish span of node 1', 15_000);
    assert.equal(publish.kind, OtlpSpanKind.PRODUCER);
    assert.equal(publish.traceId, TRACE_ID);
    assert.equal(publish.parentSpanId, CALLER_SPAN);
    assert.equal(publish.resource['service.instance.id'], 'node-1');
    assert.equal(publish.resource['service.name'], 'switchboard-cluster');
    assert.equal((msg.msg.meta as { traceparent: string }).traceparent, `00-${TRACE_ID}-${publish.spanId}-01`);

    const append = await receiver.span((s) => s.name === 'append cl.traced', 'the append span of node 1', 15_000);
    assert.equal(append.parentSpanId, publish.spanId);
    assert.equal(append.attributes['switchboard.store'], 'jetstream');

    const processSpan = await receiver.span((s) => s.name === 'process cl.traced', 'the process span of node 2', 15_000);
    assert.equal(processSpan.kind, OtlpSpanKind.CONSUMER);
    assert.equal(processSpan.resource['service.instance.id'], 'node-2');
    assert.equal(processSpan.traceId, TRACE_ID);
    assert.equal(processSpan.parentSpanId, publish.spanId);
    assert.equal(processSpan.attributes['messaging.message.id'], msg.msg.id);
  });
});

// With tracing on, each webhook attempt is a CLIENT span of the message's trace (a child of its publish span), and
// the request's traceparent names that attempt's span, so the receiver's own spans continue the same trace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { OtlpSpanKind, startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, webhookStatus } from '../../../test/support/webhook-hub.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('webhook attempts in the message trace', () => {
  let otlp: OtlpReceiver;
  before(async () => {
    otlp = await startOtlpReceiver();
    // The hub reads the standard variables when it starts (this file runs in a process of its own).
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.endpoint;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '20';
  });
  after(async () => {
    await otlp.close();
  });
  const rx = useReceivers('billing');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  billing:
    url: ${rx.billing.url}?key=not-in-traces
    channels: ["orders.>"]
    secret: ${testSecret(3)}
    retry_schedule: [200ms]
    allow_private_networks: true
`),
  }));

  it('makes a span per attempt, child of the publish span, and sends its traceparent', async () => {
    rx.billing.answer((_r, n) => (n === 1 ? { status: 503 } : { status: 200 }));
    await publishHttp(fx.hub.url, 'orders.created', {
      type: 'order.created',
      data: { order: 'A-7' },
      meta: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    });
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'billing')).outcomes.delivered === 1, 'the second attempt to be accepted', 10_000);
    const [envelope] = await fx.history('orders.created');
    const publish = await otlp.span((s) => s.name === 'publish orders.created', 'the publish span');
    assert.equal(publish.traceId, TRACE_ID);
    await waitFor(() => otlp.spans().filter((s) => s.name === 'webhook billing').length === 2, 'two attempt spans');
    const attempts = otlp.spans().filter((s) => s.name === 'webhook billing');
    attempts.sort((a, b) => Number(a.attributes['switchboard.webhook.attempt']) - Number(b.attributes['switchboard.webhook.attempt']));
    assert.equal(rx.billing.requests.length, 2);
    for (const [i, span] of attempts.entries()) {
      assert.equal(span.kind, OtlpSpanKind.CLIENT);
      assert.equal(span.traceId, TRACE_ID, 'the attempt belongs to the message trace');
      assert.equal(span.parentSpanId, publish.spanId, 'the attempt is a child of the publish span');
      assert.equal(span.attributes['switchboard.webhook.attempt'], i + 1);
      assert.equal(span.attributes['messaging.message.id'], envelope!.id);
      assert.equal(span.attributes['messaging.destination.name'], 'orders.created');
      assert.equal(span.attributes['url.full'], rx.billing.url, 'the query (which may hold a key) stays out of traces');
      assert.equal(span.attributes['http.response.status_code'], i === 0 ? 503 : 200);
      assert.equal(span.status?.code === 2, i === 0, 'the failed attempt is an error span, the accepted one is not');
      assert.equal(rx.billing.requests[i]!.headers.traceparent, `00-${TRACE_ID}-${span.spanId}-01`, 'the request names its attempt span');
    }
  });
});

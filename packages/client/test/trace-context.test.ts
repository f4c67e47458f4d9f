// The SDK and OpenTelemetry: a publish made while a span is active carries that span's traceparent in `meta`
// (found through the optional `@opentelemetry/api`, or given), a traceparent of the caller wins, and without an
// active span (or with `tracing: false`) meta is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as otel from '@opentelemetry/api';
import { connect } from '../src/index.js';
import { activeTraceparent, loadTraceApi, withTraceContext } from '../src/trace-context.js';
import { history, hubFor, NO_HUB } from './support/hub.js';
import { closing } from './support/closing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** A synchronous context manager (the API's default one keeps no context), enough for `context.with`. */
class StackContextManager implements otel.ContextManager {
  private current: otel.Context = otel.ROOT_CONTEXT;
  active(): otel.Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: otel.Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_context: otel.Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = otel.ROOT_CONTEXT;
    return this;
  }
}
otel.context.setGlobalContextManager(new StackContextManager());

function inSpan<T>(fn: () => T, traceFlags = otel.TraceFlags.SAMPLED): T {
  return otel.context.with(otel.trace.setSpanContext(otel.ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags, isRemote: false }), fn);
}

test('the active span gives the traceparent; none, or invalid ids, give nothing', async () => {
  const api = await loadTraceApi(undefined);
  assert.ok(api, '@opentelemetry/api is found without being given');
  assert.equal(await loadTraceApi(false), undefined);
  assert.equal(activeTraceparent(api), undefined);
  assert.deepEqual(
    inSpan(() => activeTraceparent(api)),
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
  );
  assert.deepEqual(
    inSpan(() => activeTraceparent(api), otel.TraceFlags.NONE),
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` },
  );
  assert.deepEqual(
    inSpan(() => withTraceContext(api, { meta: { traceparent: 'mine', correlation_id: 'c' } })),
    { meta: { traceparent: 'mine', correlation_id: 'c' } },
    "the caller's traceparent wins",
  );
  assert.deepEqual(
    inSpan(() => withTraceContext(api, { meta: { correlation_id: 'c' }, msgId: 'm' })),
    { meta: { correlation_id: 'c', traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, msgId: 'm' },
  );
  const invalid = { context: { active: () => undefined }, trace: { getSpanContext: () => ({ traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 }) } };
  assert.equal(activeTraceparent(invalid), undefined);
});

test('publish carries the active span in meta.traceparent; tracing: false leaves meta alone', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-traced' }));
  const off = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-untraced', tracing: false }));
  await inSpan(() => c.publish('orders.traced', 'order', { n: 1 }, { meta: { correlation_id: 'c-1' } }));
  await c.publish('orders.traced', 'order', { n: 2 });
  await inSpan(() => off.publish('orders.traced', 'order', { n: 3 }));
  const stored = await history(hub.url, 'orders.traced');
  assert.deepEqual(
    stored.map((m) => m.meta),
    [{ correlation_id: 'c-1', traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, undefined, undefined],
  );
});

// The spans of the publish and delivery paths, by the OpenTelemetry messaging semantic conventions
// (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/). Only types are imported here: the
// OpenTelemetry modules are passed in, loaded by `tracing-sdk.ts` once tracing is on.
import type * as Api from '@opentelemetry/api';
import type * as Core from '@opentelemetry/core';
import type { CallTrace, CallTracer, DeliveredEvent, PublishTrace, PublishTracer, TracedCall, TracedPublish } from '../features/hub-events.js';
import { envelopeTraceFields, formatTraceparent, withTraceparent } from './traceparent.js';

// The messaging attributes are "development" in the conventions (the incubating entry of
// @opentelemetry/semantic-conventions, which advises copying them rather than importing them).
const MESSAGING_SYSTEM = 'messaging.system';
const DESTINATION = 'messaging.destination.name';
const MESSAGE_ID = 'messaging.message.id';
const OPERATION_TYPE = 'messaging.operation.type';
const OPERATION_NAME = 'messaging.operation.name';
const CLIENT_ID = 'messaging.client.id';
const CONVERSATION_ID = 'messaging.message.conversation_id';
const CONSUMER_GROUP = 'messaging.consumer.group.name';
const SUBSCRIPTION = 'messaging.destination.subscription.name';
const ERROR_TYPE = 'error.type';
const SYSTEM = 'switchboard';

/** The OpenTelemetry modules the tracer uses, loaded by the caller. */
export interface OtelModules {
  api: typeof Api;
  core: typeof Core;
}

/** Traces publishes (a `publish {ch}` PRODUCER span, with a child per store append) and deliveries (`process {ch}`, CONSUMER). */
export interface SpanTracer {
  publish: PublishTracer;
  /** One `process {ch}` span per `msg` frame written, child of the publish span the envelope's traceparent names. */
  delivered(e: DeliveredEvent): void;
  /** One CLIENT span per outbound call (a webhook attempt), child of the message's publish span. */
  calls: CallTracer;
}

/** Makes the tracer of one hub on an OpenTelemetry `tracer`; `storeKind` is the store backend's name. */
export function createSpanTracer(otel: OtelModules, tracer: Api.Tracer, storeKind: string): SpanTracer {
  const { api, core } = otel;
  const remoteParent = (traceparent: unknown, tracestate?: unknown): Api.Context => {
    const sc = typeof traceparent === 'string' ? core.parseTraceParent(traceparent) : null;
    if (!sc) return api.ROOT_CONTEXT;
    sc.isRemote = true;
    if (typeof tracestate === 'string' && tracestate.length > 0) sc.traceState = new core.TraceState(tracestate);
    return api.trace.setSpanContext(api.ROOT_CONTEXT, sc);
  };
  const failed = (span: Api.Span, err: unknown): void => {
    const e = err as { code?: unknown; message?: unknown };
    span.setAttribute(ERROR_TYPE, typeof e.code === 'string' ? e.code : err instanceof Error ? err.name : 'Error');
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: typeof e.message === 'string' ? e.message : String(err) });
    span.end();
  };

  const publish: PublishTracer = {
    start(p: TracedPublish): PublishTrace {
      const parent = remoteParent(p.meta?.traceparent, p.meta?.tracestate);
      const attributes: Api.Attributes = {
        [MESSAGING_SYSTEM]: SYSTEM,
        [DESTINATION]: p.ch,
        [MESSAGE_ID]: p.id,
        [OPERATION_TYPE]: 'publish',
        [OPERATION_NAME]: 'publish',
        [CLIENT_ID]: p.source,
        'switchboard.message.type': p.type,
        'switchboard.channel.durable': p.durable,
      };
      const correlation = p.meta?.correlation_id;
      if (typeof correlation === 'string') attributes[CONVERSATION_ID] = correlation;
      const span = tracer.startSpan(`publish ${p.ch}`, { kind: api.SpanKind.PRODUCER, attributes }, parent);
      const sc = span.spanContext();
      const { meta, metaText } = withTraceparent(p.meta, p.metaText, formatTraceparent(sc.traceId, sc.spanId, sc.traceFlags));
      return {
        meta,
        metaText,
        append<T>(appending: Promise<T>): Promise<T> {
          const child = tracer.startSpan(
            `append ${p.ch}`,
            { kind: api.SpanKind.INTERNAL, attributes: { [MESSAGING_SYSTEM]: SYSTEM, [DESTINATION]: p.ch, 'switchboard.store': storeKind } },
            api.trace.setSpan(parent, span),
          );
          return appending.then(
            (r) => {
              child.end();
              return r;
            },
            (err: unknown) => {
              failed(child, err);
              failed(span, err);
              throw err;
            },
          );
        },
        end(seq: number, duplicate: boolean): void {
          span.setAttribute('switchboard.seq', seq);
          if (duplicate) span.setAttribute('switchboard.duplicate', true);
          span.end();
        },
        fail: (err: unknown) => failed(span, err),
      };
    },
  };

  const calls: CallTracer = {
    start(c: TracedCall): CallTrace {
      const span = tracer.startSpan(c.name, { kind: api.SpanKind.CLIENT, attributes: { [MESSAGING_SYSTEM]: SYSTEM, ...c.attributes } }, remoteParent(c.parent));
      const sc = span.spanContext();
      return {
        traceparent: formatTraceparent(sc.traceId, sc.spanId, sc.traceFlags),
        end({ status, error }) {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (error !== undefined || (status !== undefined && status >= 400)) {
            span.setAttribute(ERROR_TYPE, status !== undefined && status >= 400 ? String(status) : 'Error');
            span.setStatus({ code: api.SpanStatusCode.ERROR, message: error ?? `HTTP ${status}` });
          }
          span.end();
        },
      };
    },
  };

  return {
    publish,
    calls,
    delivered(e: DeliveredEvent): void {
      const fields = envelopeTraceFields(e.json);
      const attributes: Api.Attributes = {
        [MESSAGING_SYSTEM]: SYSTEM,
        [DESTINATION]: e.ch,
        [OPERATION_TYPE]: 'process',
        [OPERATION_NAME]: 'process',
        [CLIENT_ID]: e.component,
        [SUBSCRIPTION]: e.sub,
        'switchboard.seq': e.seq,
        'switchboard.deliveries': e.deliveries,
      };
      if (fields.id !== undefined) attributes[MESSAGE_ID] = fields.id;
      if (e.group !== undefined) attributes[CONSUMER_GROUP] = e.group;
      tracer.startSpan(`process ${e.ch}`, { kind: api.SpanKind.CONSUMER, attributes }, remoteParent(fields.traceparent)).end();
    },
  };
}

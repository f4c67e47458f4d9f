// W3C Trace Context on publish: when `@opentelemetry/api` is in the program and a span is active, the publish
// carries that span's `traceparent` (and `tracestate`) in `meta`, and the hub continues the trace from it. The API
// is an optional peer dependency: it is looked up once at `connect()` and its absence changes nothing.
import type { EnvelopeMeta } from '@switchboard/protocol';

/** The span context the SDK reads (the shape of `@opentelemetry/api`'s `SpanContext`). */
export interface TraceSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: { serialize(): string };
}

/**
 * The part of `@opentelemetry/api` the SDK uses: pass the module itself (`import * as otel from
 * '@opentelemetry/api'`) as `ConnectOptions.tracing`, e.g. in a browser bundle, where the SDK cannot find it alone.
 */
export interface TraceApi {
  context: { active(): unknown };
  trace: { getSpanContext(context: never): TraceSpanContext | undefined };
}

const INVALID_TRACE = '00000000000000000000000000000000';
const INVALID_SPAN = '0000000000000000';

/** The trace API to use: the one given, none for `false`, else `@opentelemetry/api` when it can be imported. */
export async function loadTraceApi(option: TraceApi | false | undefined): Promise<TraceApi | undefined> {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  const name = '@opentelemetry/api';
  try {
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as Partial<TraceApi>;
    return mod.trace && mod.context ? (mod as TraceApi) : undefined;
  } catch {
    return undefined;
  }
}

/** The `traceparent` of the active span, when there is one with valid ids. */
export function activeTraceparent(api: TraceApi): { traceparent: string; tracestate?: string } | undefined {
  const sc = api.trace.getSpanContext(api.context.active() as never);
  if (!sc || sc.traceId === INVALID_TRACE || sc.spanId === INVALID_SPAN || sc.traceId.length !== 32 || sc.spanId.length !== 16) return undefined;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const state = sc.traceState?.serialize();
  return { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}`, ...(state ? { tracestate: state } : {}) };
}

/** `options` with the active span's trace context in `meta` (a `traceparent` the caller set wins). */
export function withTraceContext<O extends { meta?: EnvelopeMeta }>(api: TraceApi, options: O | undefined): O | undefined {
  if (options?.meta?.traceparent !== undefined) return options;
  const active = activeTraceparent(api);
  if (!active) return options;
  const meta: EnvelopeMeta = { ...options?.meta, ...active };
  return { ...options, meta } as O;
}

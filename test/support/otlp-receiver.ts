// A real OTLP/HTTP receiver for the tracing tests: a plain node:http server taking `POST /v1/traces`, decoding
// the JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) and keeping every request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './util.js';

/** OTLP span kinds (the `SpanKind` enum of the protocol). */
export const OtlpSpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/** One span as received, with its attributes flattened to plain values and its resource's. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
  links: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}

/** One export request as it arrived. */
export interface ReceivedRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A running receiver: where to send, what arrived. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT` (an `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly endpoint: string;
  readonly requests: ReceivedRequest[];
  /** Every span of the JSON requests so far. */
  spans(): ReceivedSpan[];
  /** Waits until `pick` finds a span, and returns it. */
  span(pick: (s: ReceivedSpan) => boolean, what: string, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function flatten(kvs: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of kvs ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Starts a receiver on a free port of 127.0.0.1; it answers every export with 200 `{}`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      requests.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      if (contentType.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const spans = (): ReceivedSpan[] =>
    requests
      .filter((r) => r.contentType.includes('json'))
      .flatMap((r) =>
        ((JSON.parse(r.body.toString('utf8')) as OtlpRequest).resourceSpans ?? []).flatMap((rs) => {
          const resource = flatten(rs.resource?.attributes);
          return (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              attributes: flatten(s.attributes),
              resource,
              links: s.links ?? [],
              ...(s.status ? { status: s.status } : {}),
            })),
          );
        }),
      );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans,
    async span(pick, what, timeoutMs = 10_000) {
      return waitFor(() => spans().find(pick) ?? false, what, { timeoutMs, everyMs: 20 });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

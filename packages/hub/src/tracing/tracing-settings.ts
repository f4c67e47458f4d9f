/** The OTLP encodings the hub exports spans in (OTLP over HTTP; gRPC is not offered). */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

/** Where and how the hub exports its spans. Tracing is on when the hub is given settings. */
export interface TracingSettings {
  /** The OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`. */
  url: string;
  /** The encoding of the export requests (default of the variables: `http/protobuf`, as the OpenTelemetry spec says). */
  protocol: OtlpProtocol;
  /** The resource's `service.name` (default `switchboard-hub`). */
  serviceName: string;
  /** How long spans wait in the batch before an export, in ms (default 5000, or `OTEL_BSP_SCHEDULE_DELAY`). */
  scheduledDelayMillis?: number;
}

const PROTOCOLS: readonly string[] = ['http/json', 'http/protobuf'];

/**
 * The tracing settings the standard OpenTelemetry environment variables give, or `undefined` (tracing off) when they
 * name no endpoint or `OTEL_SDK_DISABLED` / `OTEL_TRACES_EXPORTER=none` turn it off:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the URL as it is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`),
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`,
 * `OTEL_BSP_SCHEDULE_DELAY`. Throws an `Error` that says what to change for a protocol other than `http/json` and
 * `http/protobuf`.
 */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = signal ? signal : base ? base.replace(/\/+$/, '') + '/v1/traces' : undefined;
  if (url === undefined) return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (!PROTOCOLS.includes(protocol)) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL is "${protocol}": the hub exports traces over OTLP/HTTP only; set it to "http/json" or "http/protobuf"`);
  }
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return {
    url,
    protocol: protocol as OtlpProtocol,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'switchboard-hub',
    ...(env.OTEL_BSP_SCHEDULE_DELAY !== undefined && Number.isFinite(delay) && delay >= 0 ? { scheduledDelayMillis: delay } : {}),
  };
}

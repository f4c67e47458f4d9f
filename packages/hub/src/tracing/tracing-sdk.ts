// Loads the OpenTelemetry SDK (only when tracing is on: a hub without tracing imports none of it) and makes the
// span tracer on a provider of its own (no global registration: two hubs in one process trace apart).
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createSpanTracer, type SpanTracer } from './span-tracer.js';
import type { OtlpProtocol, TracingSettings } from './tracing-settings.js';

/** A started tracing SDK: the tracer of the hub's paths, and how to flush and stop it. */
export interface TracingSdk {
  tracer: SpanTracer;
  /** Sends the spans still in the batch. */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/** Imports the SDK and the exporter of `settings.protocol`, and starts a batch exporter to `settings.url`. */
export async function startTracingSdk(settings: TracingSettings, resource: { nodeId: string; storeKind: string }): Promise<TracingSdk> {
  const [api, core, sdk, resources, semconv, exporter] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    loadExporter(settings.protocol, settings.url),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: settings.serviceName,
      'service.instance.id': resource.nodeId,
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, settings.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: settings.scheduledDelayMillis } : {}),
    ],
  });
  const tracer = createSpanTracer({ api, core }, provider.getTracer('@switchboard/hub'), resource.storeKind);
  return { tracer, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

async function loadExporter(protocol: OtlpProtocol, url: string): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url });
}

import type { HubFeature } from '../features/feature.js';
import type { TracingSdk } from './tracing-sdk.js';
import { tracingSettingsFromEnv, type TracingSettings } from './tracing-settings.js';

/**
 * The tracing part of the hub: OpenTelemetry spans of the publish path (`publish {ch}`, with a child for the store
 * append), of each delivery (`process {ch}`) and of features' outbound calls (each webhook attempt), exported over OTLP/HTTP. Off unless `settings` (or, when they are
 * omitted, the `OTEL_EXPORTER_OTLP_*` environment variables) name an endpoint: then the SDK is imported when the hub
 * starts listening, and nothing of it is loaded or called otherwise. `false`: off whatever the environment says.
 */
export function tracingFeature(settings?: TracingSettings | false): HubFeature {
  return {
    name: 'tracing',
    register(host) {
      let resolved: TracingSettings | undefined;
      try {
        resolved = settings === false ? undefined : (settings ?? tracingSettingsFromEnv(process.env));
      } catch (err) {
        host.log.warn({ err }, 'tracing off: %s', (err as Error).message);
        return;
      }
      if (resolved === undefined) return;
      const on = resolved;
      let sdk: TracingSdk | undefined;
      host.onStart(async () => {
        const { startTracingSdk } = await import('./tracing-sdk.js');
        sdk = await startTracingSdk(on, { nodeId: host.config.nodeId, storeKind: host.store.kind });
        const { tracer } = sdk;
        host.tracePublishes(tracer.publish);
        host.traceCalls(tracer.calls);
        host.onDelivered((e) => tracer.delivered(e));
        host.log.info({ url: on.url, protocol: on.protocol, service: on.serviceName }, 'tracing on: spans go to %s', on.url);
      });
      host.onClose(async () => {
        await sdk?.shutdown().catch((err: unknown) => host.log.warn({ err }, 'tracing: the last spans could not be exported'));
      });
    },
  };
}

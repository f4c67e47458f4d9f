import type { FeatureHost, HubFeature } from '../features/feature.js';
import { HUB_SOURCE, SYS_ALERTS } from '../admin/sys-events.js';
import { BREAKER_GAUGE } from './outbound/breaker.js';
import { OutboundWebhook } from './outbound/outbound-webhook.js';
import { inboundRoute } from './inbound/inbound-route.js';
import { webhookAdminRoutes } from './webhook-admin-routes.js';

/** What the webhooks feature takes from the world (tests move the clock). */
export interface WebhooksOptions {
  now?: () => number;
  random?: () => number;
}

/**
 * Outbound and inbound webhooks (the `webhooks:` and `inbound_webhooks:` keys; docs/guides/webhooks.md): each outbound
 * webhook is a durable consumer of its channels that POSTs every message, signed per Standard Webhooks 1.0; each
 * inbound one takes a provider's signed events at `POST /v1/hooks/{name}`. Admin routes under `/v1/admin/webhooks`.
 */
export function webhooksFeature(options: WebhooksOptions = {}): HubFeature {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  return {
    name: 'webhooks',
    register(host: FeatureHost) {
      const { outbound, inbound } = host.config.webhooks;
      if (inbound.length > 0) host.route(inboundRoute(host, inbound, now));
      const hooks = new Map<string, OutboundWebhook>();
      const alert = (data: Record<string, unknown>): void => publishAlert(host, now, data);
      for (const c of outbound) hooks.set(c.name, new OutboundWebhook(c, { host, now, random, alert }));
      for (const r of webhookAdminRoutes(host, hooks, now)) host.route(r);
      if (hooks.size === 0) return;
      const all = [...hooks.values()];
      host.onStart(async () => {
        await Promise.all(all.map((h) => h.start()));
      });
      host.onPublished((e) => {
        if (!e.durable) return;
        for (const h of all) if (h.matches(e.ch)) h.published(e.ch, e.seq);
      });
      host.metrics.webhookBreakerState.readFrom(() => all.map((h) => ({ labels: [h.config.name], value: BREAKER_GAUGE[h.breakerState()] })));
      host.metrics.webhookLag.readFrom(async () => Promise.all(all.map(async (h) => ({ labels: [h.config.name], value: await h.lag() }))));
      host.onClose(async () => {
        host.metrics.webhookBreakerState.readFrom(undefined);
        host.metrics.webhookLag.readFrom(undefined);
        await Promise.all(all.map((h) => h.close()));
      });
    },
  };
}

/** One `$sys.alerts` event (ephemeral: admins subscribed now, and the other nodes through the bus). */
function publishAlert(host: FeatureHost, now: () => number, data: Record<string, unknown>): void {
  const body = { ...data, node: host.config.nodeId, at: new Date(now()).toISOString() };
  try {
    const r = host.router.publish({ ch: SYS_ALERTS, type: 'alert', data: body, source: HUB_SOURCE, system: true });
    if (r instanceof Promise) r.catch((err: unknown) => host.log.debug({ err }, 'webhooks: an alert was not published'));
  } catch (err) {
    host.log.debug({ err }, 'webhooks: an alert was not published');
  }
}

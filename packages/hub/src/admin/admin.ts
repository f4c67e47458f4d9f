import type { HubFeature } from '../features/feature.js';
import { assertMaySubscribeSys } from './admin-auth.js';
import { adminRoutes } from './admin-routes.js';
import { AlertWatch } from './alerts.js';
import { History } from './history.js';
import { SysEvents } from './sys-events.js';
import { Traffic } from './traffic.js';

/** Options of {@link adminFeature}. */
export interface AdminFeatureOptions {
  /** Clock in epoch ms (default `Date.now`): uptime, the last minute's rates, event times. */
  now?: () => number;
}

/**
 * The admin API: `GET /v1/admin/status`, `/v1/admin/map` and `/v1/admin/history` (the last hour per channel), the dead letters (`/v1/admin/dlq/…`: list, replay,
 * purge), the hub's events on `$sys.components`, `$sys.violations` and `$sys.alerts`, and the rule that only an
 * admin (dev mode, or a token with `"sb.admin": true`) may use them. Everything goes through the feature seam:
 * the rates come from the hub's events, the state from `host.inspect` and the store, a replay takes the one
 * publish path.
 */
export function adminFeature(options: AdminFeatureOptions = {}): HubFeature {
  return {
    name: 'admin',
    register(host) {
      const now = options.now ?? Date.now;
      const settings = host.config.admin;
      const traffic = new Traffic(settings.trackedChannels, now);
      traffic.attach(host);
      const history = new History(traffic, host.inspect, now, { maxChannels: settings.trackedChannels, intervalMs: settings.historyIntervalMs });
      host.onPublished((e) => history.published(e.ch, e.seq, e.receivedAt));
      host.onDelivered((e) => history.delivered(e.ch, e.seq, e.deliveries, performance.now()));
      const historyTimer = setInterval(() => history.tick(), history.intervalMs);
      historyTimer.unref();
      const events = new SysEvents(host, now);
      host.onConnection((e) => events.onConnection(e));
      host.onRefused((e) => queueMicrotask(() => events.onRefused(e, settings.violationsPerSecond)));
      const alerts = new AlertWatch(host, traffic, events, settings.alerts);
      alerts.start();
      host.connection({
        open: (conn) => ({
          check: (op, frame) => {
            if (op === 'sub') assertMaySubscribeSys(host.config, conn.identity(), frame.ch);
          },
        }),
      });
      for (const route of adminRoutes({ host, traffic, startedAt: now() }, history, now)) host.route(route);
      host.onClose(() => {
        alerts.stop();
        clearInterval(historyTimer);
        events.close();
      });
    },
  };
}

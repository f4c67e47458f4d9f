import type { Authenticator } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { RequestRouter } from '../requests/request-router.js';
import type { Router } from '../publish/router.js';
import type { SubscriptionDeps } from '../delivery/subscription.js';
import type { FeatureRegistry } from '../features/feature-registry.js';
import type { HubEvents } from '../features/hub-events.js';
import type { RefusalLog } from '../logging/refusal-log.js';
import type { ParkedSessions } from './parked-sessions.js';

/** What a connection needs from the hub. */
export interface ConnectionDeps {
  config: HubConfig;
  router: Router;
  requests: RequestRouter;
  metrics: HubMetrics;
  auth: Authenticator;
  subscriptions: SubscriptionDeps;
  parked: ParkedSessions;
  /** What the features registered: their ops and the hooks each connection gets. */
  features: FeatureRegistry;
  /** Every op a client may send (the core's and the features'). */
  knownOps: ReadonlySet<string>;
  /** True once the hub is stopping: new work is refused with UNAVAILABLE. */
  closing: () => boolean;
  /**
   * Ends a still-open connection of `session` (same component), parking what it holds, so that a `resume` can take
   * it over at once instead of waiting for the hub to notice that its socket died.
   */
  takeOver?: (session: string, component: string) => void;
  log: { warn(obj: unknown, msg?: string): void; debug(obj: unknown, msg?: string): void };
  /** Where connections opening and closing are told to the features that watch them. */
  events?: HubEvents;
  /** Where every `err` sent is counted for the log. */
  refusals?: RefusalLog;
}

/** The ops of the hub core; features add theirs through the feature seam. */
export const CORE_OPS = ['hello', 'ping', 'pub', 'sub', 'ack', 'nack', 'unsub', 'req', 'reply'] as const;

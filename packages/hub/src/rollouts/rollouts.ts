import type { HubFeature } from '../features/feature.js';
import { RolloutController } from './rollout-controller.js';
import { rolloutRoutes } from './rollout-routes.js';

/** What the rollouts feature takes from the world (tests move the clock and tick faster). */
export interface RolloutsOptions {
  /** Clock in epoch ms (default `Date.now`): holds, windows, the lease. */
  now?: () => number;
  /** How often rollouts are read from the store, figures shared and guardrails judged (default 1 s). */
  tickMs?: number;
}

/**
 * Canary rollouts of consumer groups (docs/guides/rollouts.md): a rollout on `(channel, group)` sends a weight of
 * the group's messages, sticky by key, to the members whose `hello.version` is the canary's, step by step, and rolls
 * back at once when the canary's error rate or latency p95 passes its guardrail. Kept in the store's KV; one node
 * (a lease in the store) runs the controller, every node routes. Admin routes under `/v1/admin/rollouts`.
 */
export function rolloutsFeature(options: RolloutsOptions = {}): HubFeature {
  return {
    name: 'rollouts',
    register(host) {
      const rollouts = new RolloutController(host, options.now ?? Date.now, options.tickMs ?? 1_000);
      host.routeGroups((req) => rollouts.route(req));
      host.onGroupOutcome((e) => rollouts.outcome(e));
      for (const r of rolloutRoutes(host, rollouts)) host.route(r);
      host.onStart(() => rollouts.start());
      host.onClose(() => rollouts.close());
    },
  };
}

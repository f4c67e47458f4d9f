import { SwitchboardError } from '@switchboard/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';
import type { HttpContext } from '../features/feature.js';

/** Whether `identity` may use the admin API and the `$sys.*` channels: dev mode, or a token with `"sb.admin": true`. */
export function isAdmin(config: HubConfig, identity: Identity): boolean {
  return config.auth.dev || identity.admin === true;
}

/**
 * The caller of an admin route, when it is an admin; rejects with UNAUTHENTICATED (no or a bad token) or
 * FORBIDDEN (a token without `"sb.admin": true`), saying what to change.
 */
export async function requireAdmin(config: HubConfig, ctx: HttpContext, what: string): Promise<Identity> {
  const identity = await ctx.identify();
  if (!isAdmin(config, identity)) {
    throw new SwitchboardError(
      'FORBIDDEN',
      `component "${identity.component}" may not ${what}; use a token with the claim "sb.admin": true (switchboard token --admin)`,
    );
  }
  return identity;
}

/** Throws FORBIDDEN when a `sub` to a `$sys.` channel comes from a component that is not an admin. */
export function assertMaySubscribeSys(config: HubConfig, identity: Identity, pattern: unknown): void {
  if (typeof pattern !== 'string' || !pattern.startsWith('$sys')) return;
  if (isAdmin(config, identity)) return;
  throw new SwitchboardError(
    'FORBIDDEN',
    `component "${identity.component}" may not subscribe to "${pattern}": the hub's $sys.* events are for admins; use a token with the claim "sb.admin": true (switchboard token --admin)`,
  );
}

import { assertAdmin, type Identity } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';
import type { HttpContext } from '../features/feature.js';

/**
 * The caller of an admin route, when it is an admin; rejects with UNAUTHENTICATED (no or a bad token) or
 * FORBIDDEN (a token without `"sb.admin": true`), saying what to change.
 */
export async function requireAdmin(config: HubConfig, ctx: HttpContext, what: string): Promise<Identity> {
  const identity = await ctx.identify();
  assertAdmin(config, identity, what);
  return identity;
}

/** Throws FORBIDDEN when a `sub` to a `$sys.` channel comes from a component that is not an admin. */
export function assertMaySubscribeSys(config: HubConfig, identity: Identity, pattern: unknown): void {
  if (typeof pattern !== 'string' || !pattern.startsWith('$sys')) return;
  assertAdmin(config, identity, `subscribe to "${pattern}": the hub's $sys.* events are for admins`);
}

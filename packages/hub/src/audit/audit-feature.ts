import type { HubFeature } from '../features/feature.js';

/**
 * Audits security refusals through `host.audit`: a refused authentication (`auth.hello`, `auth.refresh`,
 * `auth.http`: `UNAUTHENTICATED`, or a token for another component) and a permission refusal (`permission`: any
 * other `FORBIDDEN`). Admin actions are audited where they happen (contract reload, dead-letter replay and purge,
 * webhook tests, rollouts). A flood is bounded by the failed-hello limit: once an address is cut off, its refusals are
 * `RATE_LIMITED` and counted in a metric, not audited one by one.
 */
export function auditFeature(): HubFeature {
  return {
    name: 'audit',
    register(host) {
      host.onClientError((e) => {
        if (e.code !== 'UNAUTHENTICATED' && e.code !== 'FORBIDDEN') return;
        const authOp = e.op === 'hello' || e.op === 'refresh';
        let action: string;
        if (e.transport === 'ws' && authOp) action = `auth.${e.op}`;
        else if (e.code === 'UNAUTHENTICATED') {
          if (e.transport === 'ws') return; // an op before hello: a client's mistake, not an authentication
          action = 'auth.http';
        } else action = 'permission';
        host.audit({
          action,
          outcome: 'refused',
          ...(e.component !== undefined ? { component: e.component } : {}),
          ...(e.remote !== undefined ? { remote: e.remote } : {}),
          ...(e.op !== undefined || e.ch !== undefined ? { target: [e.op, e.ch].filter((x) => x !== undefined).join(' ') } : {}),
          code: e.code,
          reason: e.message,
        });
      });
    },
  };
}

import { SYS_PREFIX } from '@switchboard/protocol';
import type { Router } from '../publish/router.js';

/** The channel of audit entries (ephemeral, read by admins like every `$sys.*` channel). */
export const SYS_AUDIT = `${SYS_PREFIX}audit`;

/** One audited action: who did what, and the outcome. The time and the node are added when it is written. */
export interface AuditEntry {
  /** What was done or tried: `auth.hello`, `auth.http`, `auth.refresh`, `permission`, `contracts.reload`, `dlq.replay`, … */
  action: string;
  outcome: 'ok' | 'refused' | 'failed';
  /** The component that did it (once known). */
  component?: string;
  /** The caller's address and port, when known. */
  remote?: string;
  /** What it was done to: a channel, a webhook, `<METHOD> <path>`, an op. */
  target?: string;
  /** The protocol code of a refusal or failure. */
  code?: string;
  /** Why, in words (a refusal's message; never a token, secret or key). */
  reason?: string;
  /** More facts of the action (counts, sequence numbers). */
  details?: Record<string, unknown>;
}

/** What {@link createAudit} writes to. */
export interface AuditDeps {
  log: { info(obj: unknown, msg?: string): void };
  router: Router;
  nodeId: string;
  now: () => number;
}

/** The source of `$sys.audit` messages. */
const AUDIT_SOURCE = 'switchboard-hub';

/**
 * Makes the audit function: each entry becomes one JSON log line `{"audit":{…,"at","node"},"msg":"audit"}` and one
 * `audit` message on `$sys.audit`. It never throws.
 */
export function createAudit(deps: AuditDeps): (entry: AuditEntry) => void {
  return (entry) => {
    const record = { ...entry, at: new Date(deps.now()).toISOString(), node: deps.nodeId };
    deps.log.info({ audit: record }, 'audit');
    try {
      const r = deps.router.publish({ ch: SYS_AUDIT, type: 'audit', data: record, source: AUDIT_SOURCE, system: true });
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      // the log line is written; a $sys.audit message that cannot be published is dropped
    }
  };
}

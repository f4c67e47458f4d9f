import { PAYLOAD_MEMBERS, rawMembers } from '@switchboard/protocol';
import type { Router } from '../publish/router.js';

/**
 * Moves a stored message that exhausted its deliveries to the dead-letter log of `ch` (`code` and `details` say why
 * in `meta.dlq`; a webhook passes its own `$webhook.<name>` as `ch`, so that a replay goes back to it only).
 */
export async function deadLetterStored(
  router: Router,
  ch: string,
  seq: number,
  json: string,
  deliveries: number,
  reason: string,
  code = 'TIMEOUT',
  details?: unknown,
): Promise<void> {
  const env = JSON.parse(json) as { type: string; source: string; data: unknown; meta?: Record<string, unknown>; id: string };
  const text = rawMembers(json, PAYLOAD_MEMBERS);
  await router.deadLetter({
    ch,
    type: env.type,
    source: env.source,
    data: env.data,
    meta: env.meta,
    dataText: text?.data,
    metaText: text?.meta,
    reason,
    code,
    ...(details !== undefined ? { details } : {}),
    seq,
    deliveries,
    msgId: env.id,
  });
}

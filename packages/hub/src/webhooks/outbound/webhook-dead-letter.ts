import type { OutboundWebhookConfig } from '../../config/webhooks-config.js';
import { deadLetterStored } from '../../delivery/dead-letter-stored.js';
import type { Router } from '../../publish/router.js';
import type { GroupDelivery } from '../../store/store.js';

/** One attempt of a webhook delivery, as the dead letter lists it. */
export interface AttemptRecord {
  /** When it was made (its `webhook-timestamp`). */
  at: string;
  /** The HTTP status of the answer. */
  status?: number;
  /** Why there was no answer (timeout, connection refused, refused target, …). */
  error?: string;
}

/**
 * Keeps a message a webhook gave up on in `$dlq.$webhook.<name>`, with the publisher's exact text and, in
 * `meta.dlq.details`, the webhook, the original channel and seq, and the attempts this node saw (an attempt cut off
 * by a restart is counted in `deliveries`, not listed). A replay of the entry goes back to the webhook only
 * (through its own channel `$webhook.<name>`), with the same message id, so the same `webhook-id`.
 */
export function deadLetterWebhook(
  router: Router,
  config: OutboundWebhookConfig,
  ch: string,
  d: GroupDelivery,
  attempts: AttemptRecord[],
  reason: string,
): Promise<void> {
  const details = { webhook: config.name, url: config.url, original_ch: ch, original_seq: d.message.seq, attempts };
  const why = `webhook "${config.name}" (${config.url}): ${reason}`;
  return deadLetterStored(router, `$webhook.${config.name}`, d.message.seq, d.message.json, d.deliveries, why, 'UNAVAILABLE', details);
}

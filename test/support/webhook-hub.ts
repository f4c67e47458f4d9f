// Helpers of the webhook tests: publish over HTTP, read a webhook's status from the admin API, and verify a
// request with the `standardwebhooks` package (the reference implementation of Standard Webhooks, not our code).
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import type { ReceivedRequest } from './webhook-receiver.js';

/** Publishes one message over HTTP (`POST /v1/channels/{ch}/messages`); resolves with the answer's body. */
export async function publishHttp(url: string, ch: string, body: string | Record<string, unknown>): Promise<{ seq: number; id?: string }> {
  const res = await fetch(`${url}/v1/channels/${encodeURIComponent(ch)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-switchboard-component': 'billing' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status === 200 || res.status === 201, `publish to ${ch}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as { seq: number };
}

/** The admin status of webhook `name` (`GET /v1/admin/webhooks/{name}`). */
export async function webhookStatus(url: string, name: string): Promise<WebhookStatus> {
  const res = await fetch(`${url}/v1/admin/webhooks/${name}`);
  assert.equal(res.status, 200, `status of webhook ${name}: HTTP ${res.status}`);
  return (await res.json()) as WebhookStatus;
}

/** What `GET /v1/admin/webhooks/{name}` answers (the fields the tests read). */
export interface WebhookStatus {
  name: string;
  enabled: boolean;
  breaker: 'closed' | 'open' | 'half_open';
  in_flight: number;
  lag: number;
  outcomes: Record<'delivered' | 'retry' | 'dead_lettered' | 'aborted' | 'gone', number>;
  last_attempt?: { at: string; status?: number; error?: string };
  disabled?: { at: string; reason: string };
}

/** Verifies `req` as a Standard Webhooks receiver holding `secret` would; throws when it is not valid. */
export function verifyStandard(secret: string, req: ReceivedRequest): unknown {
  const headers: Record<string, string> = {};
  for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[h] = String(req.headers[h] ?? '');
  return new Webhook(secret).verify(req.body, headers);
}

/** One entry of `GET /v1/admin/dlq/{ch}` (the fields the webhook tests read). */
export interface DeadLetterEntry {
  seq: number;
  id: string;
  type: string;
  original_ch: string;
  reason: string;
  code: string;
  msg_id: string;
  details: { webhook: string; original_ch: string; original_seq: number; attempts: { at: string; status?: number; error?: string }[] };
  original_seq: number;
  deliveries: number;
  /** The dead-letter envelope. */
  message: { id: string; data: unknown };
}

/** The dead letters of webhook `name` (`$dlq.$webhook.<name>`), through the admin API. */
export async function webhookDeadLetters(url: string, name: string): Promise<DeadLetterEntry[]> {
  const res = await fetch(`${url}/v1/admin/dlq/${encodeURIComponent(`$webhook.${name}`)}`);
  assert.equal(res.status, 200, `dead letters of webhook ${name}: HTTP ${res.status} ${await res.clone().text()}`);
  return ((await res.json()) as { entries: DeadLetterEntry[] }).entries;
}

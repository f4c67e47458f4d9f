// A provider sending signed events to the hub's inbound webhooks, as a real HTTP client: Stripe's scheme
// (`Stripe-Signature: t=…,v1=<hex HMAC-SHA256 of "{t}.{body}">`, https://docs.stripe.com/webhooks#verify-manually)
// and Standard Webhooks (signed by the standardwebhooks package).
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** What the hub answered. */
export interface ProviderAnswer {
  status: number;
  body: { code?: string; message?: string; seq?: number; duplicate?: boolean; msg_id?: string; ch?: string };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<ProviderAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as ProviderAnswer['body'] };
}

/** POSTs `body` signed the way Stripe signs, at unix time `t` (default now). */
export function sendStripe(url: string, secret: string, body: string, t = Math.floor(Date.now() / 1000)): Promise<ProviderAnswer> {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return post(url, body, { 'stripe-signature': `t=${t},v1=${v1}` });
}

/** POSTs `body` as message `id` signed per Standard Webhooks at `at` (default now). */
export function sendStandard(url: string, secret: string, id: string, body: string, at = new Date()): Promise<ProviderAnswer> {
  const signature = new Webhook(secret).sign(id, at, body);
  return post(url, body, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature });
}

import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { InboundWebhookConfig } from '../../config/webhooks-config.js';
import { sameText, standardSignature } from '../signature.js';

/**
 * Checks the signature of an inbound webhook over the raw body, in constant time, and its timestamp within the
 * tolerance either way; resolves with the provider's event id (`webhook-id`, or the Stripe event's `id`) or throws
 * UNAUTHENTICATED saying what was wrong (never which byte).
 */
export function verifyInbound(config: InboundWebhookConfig, headers: IncomingHttpHeaders, raw: string, body: unknown, now: number): string {
  return config.verify === 'stripe' ? verifyStripe(config, header(headers, 'stripe-signature'), raw, body, now) : verifyStandard(config, headers, raw, now);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function refuse(config: InboundWebhookConfig, why: string): SwitchboardError {
  return new SwitchboardError('UNAUTHENTICATED', `inbound webhook "${config.name}": ${why}; nothing was stored`);
}

function checkTime(config: InboundWebhookConfig, t: string | undefined, now: number): number {
  if (t === undefined || !/^\d{1,12}$/.test(t)) throw refuse(config, 'the signature has no timestamp (unix seconds)');
  const seconds = Number(t);
  const skewMs = Math.abs(now - seconds * 1000);
  if (skewMs > config.toleranceMs) {
    throw refuse(
      config,
      `the signature timestamp is ${Math.round(skewMs / 1000)} s from this hub's clock, over the tolerance of ${config.toleranceMs / 1000} s`,
    );
  }
  return seconds;
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}" keyed by the whole secret>` (several v1 allowed). */
function verifyStripe(config: InboundWebhookConfig, sig: string | undefined, raw: string, body: unknown, now: number): string {
  if (!sig) throw refuse(config, 'the Stripe-Signature header is missing');
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of sig.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  const seconds = checkTime(config, t, now);
  if (v1.length === 0) throw refuse(config, 'the Stripe-Signature header has no v1 signature');
  const expected = createHmac('sha256', config.secret).update(`${seconds}.`).update(raw).digest('hex');
  if (!v1.some((s) => sameText(s, expected))) throw refuse(config, 'no v1 signature of the Stripe-Signature header matches the body and the secret');
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '') throw new SwitchboardError('BAD_FRAME', `inbound webhook "${config.name}": a Stripe event must have an "id"`);
  return id;
}

/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,<base64>`, space-separated). */
function verifyStandard(config: InboundWebhookConfig, headers: IncomingHttpHeaders, raw: string, now: number): string {
  const id = header(headers, 'webhook-id');
  const sig = header(headers, 'webhook-signature');
  if (!id || !sig) throw refuse(config, 'the webhook-id and webhook-signature headers are required (Standard Webhooks)');
  const seconds = checkTime(config, header(headers, 'webhook-timestamp'), now);
  const b64 = config.secret.startsWith('whsec_') ? config.secret.slice(6) : config.secret;
  const expected = standardSignature([Buffer.from(b64, 'base64')], id, seconds, raw);
  const given = sig.split(' ').filter((s) => s.startsWith('v1,'));
  if (!given.some((s) => sameText(s, expected))) throw refuse(config, 'no v1 signature of webhook-signature matches the body and the secret');
  return id;
}

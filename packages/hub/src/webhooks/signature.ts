import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `webhook-signature` of Standard Webhooks 1.0: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` for each
 * key, space-separated (several during a secret rotation: a receiver accepts any one it knows).
 */
export function standardSignature(keys: readonly Buffer[], id: string, timestamp: number, body: string): string {
  return keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`).join(' ');
}

/** Compares two strings in constant time (for the same length; a length difference is not a secret). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

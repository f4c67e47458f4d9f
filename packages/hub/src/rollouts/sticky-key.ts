import { createHash } from 'node:crypto';
import type { StoredMessage } from '../store/store.js';

/** Buckets of the canary split: a weight of w % sends the keys of buckets below w × 100 to the canary. */
export const BUCKETS = 10_000;

/**
 * The key that keeps a message on one side: the data field `keyField` (dotted path) when given, else `meta.key`;
 * the envelope id when the message has neither (then it is not sticky). Reads the envelope; never changes it.
 */
export function stickyKey(message: StoredMessage, keyField: string | undefined): string {
  let env: { id?: unknown; data?: unknown; meta?: { key?: unknown } };
  try {
    env = JSON.parse(message.json) as typeof env;
  } catch {
    return String(message.seq);
  }
  let v: unknown;
  if (keyField !== undefined) {
    v = env.data;
    for (const part of keyField.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  } else v = env.meta?.key;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof env.id === 'string' ? env.id : String(message.seq);
}

/** The bucket (0 … {@link BUCKETS} − 1) of `key` in rollout `id`: the same key always lands in the same bucket. */
export function bucketOf(id: string, key: string): number {
  return createHash('sha256').update(id).update('\u0000').update(key).digest().readUInt32BE(0) % BUCKETS;
}

/** True when a key of bucket `bucket` goes to the canary at `weight` %. */
export function onCanary(bucket: number, weight: number): boolean {
  return bucket < weight * (BUCKETS / 100);
}

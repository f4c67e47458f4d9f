import type { ReconnectOptions } from './types.js';

/** Reconnect policy with every default filled in. */
export type BackoffPolicy = Required<ReconnectOptions>;

/** Fills in the defaults of a reconnect policy. */
export function backoffPolicy(options: ReconnectOptions = {}): BackoffPolicy {
  return {
    initialDelayMs: options.initialDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    factor: options.factor ?? 2,
    jitter: Math.min(1, Math.max(0, options.jitter ?? 0.5)),
    maxAttempts: options.maxAttempts ?? Infinity,
  };
}

/**
 * Delay before round `round` (0-based, the first retry round is 0): `initial × factor^round`, capped at
 * `maxDelayMs`, then reduced by a random share of at most `jitter`.
 */
export function backoffDelay(policy: BackoffPolicy, round: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, round)));
  return Math.max(0, Math.round(base * (1 - policy.jitter * random())));
}

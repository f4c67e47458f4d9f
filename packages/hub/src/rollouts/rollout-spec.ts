import { parseDuration } from '@switchboard/contracts';
import { SwitchboardError } from '@switchboard/protocol';

/** What a rollout is asked to do (`POST /v1/admin/rollouts`), checked, durations in ms. */
export interface RolloutSpec {
  channel: string;
  group: string;
  /** The `hello.version` of the canary members. */
  version: string;
  /** Canary weights in percent, rising, the last 100. */
  steps: number[];
  holdMs: number;
  windowMs: number;
  maxErrorRate: number;
  maxLatencyP95Ms: number;
  minSamples: number;
  /** Canary lag (messages routed to it and not acknowledged yet) above which it is rolled back; none: not judged. */
  maxLag?: number;
  /** A field of the message data (dotted path) whose value keeps a key on one side; `meta.key` when absent. */
  keyField?: string;
}

/** The defaults of the fields a request leaves out. */
export const ROLLOUT_DEFAULTS = {
  steps: [5, 25, 50, 100],
  hold: '2m',
  window: '1m',
  max_error_rate: 0.05,
  max_latency_p95: '2s',
  min_samples: 100,
} as const;

const MAX_STEPS = 20;
const KNOWN = new Set(['channel', 'group', 'version', 'steps', 'hold', 'window', 'max_error_rate', 'max_latency_p95', 'min_samples', 'max_lag', 'key_field']);

/** Checks a request body; throws BAD_FRAME naming the field and what to write instead. */
export function parseRolloutSpec(body: unknown): RolloutSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('the body must be a JSON object such as {"channel":"orders","group":"billing","version":"2.0.0"}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!KNOWN.has(k)) throw bad(`unknown field "${k}"; the fields are ${[...KNOWN].join(', ')}`);
  const text = (k: string, example: string): string => {
    const v = b[k];
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw bad(`"${k}" must be a non-empty string (at most 256 characters), e.g. "${example}"`);
    return v;
  };
  const channel = text('channel', 'orders.created');
  if (channel.startsWith('$')) throw bad(`"channel" names a hub channel (${channel}); roll out on one of your channels`);
  const group = text('group', 'billing');
  const version = text('version', '2.0.0');
  const steps = b.steps === undefined ? [...ROLLOUT_DEFAULTS.steps] : b.steps;
  if (
    !Array.isArray(steps) ||
    steps.length === 0 ||
    steps.length > MAX_STEPS ||
    !steps.every((s, i) => Number.isInteger(s) && (s as number) >= 1 && (s as number) <= 100 && (i === 0 || (s as number) > (steps[i - 1] as number)))
  )
    throw bad(`"steps" must be 1 to ${MAX_STEPS} rising whole percentages between 1 and 100, e.g. [5, 25, 50, 100]`);
  if (steps[steps.length - 1] !== 100)
    throw bad(`"steps" must end with 100 (the canary takes everything before the rollout completes); got ${JSON.stringify(steps)}`);
  const maxErrorRate = b.max_error_rate ?? ROLLOUT_DEFAULTS.max_error_rate;
  if (typeof maxErrorRate !== 'number' || !(maxErrorRate >= 0 && maxErrorRate <= 1))
    throw bad('"max_error_rate" must be a number from 0 to 1, e.g. 0.05 for 5 %');
  const minSamples = b.min_samples ?? ROLLOUT_DEFAULTS.min_samples;
  if (!Number.isInteger(minSamples) || (minSamples as number) < 1 || (minSamples as number) > 1_000_000)
    throw bad('"min_samples" must be a whole number from 1 to 1000000, e.g. 100');
  const maxLag = b.max_lag;
  if (maxLag !== undefined && (!Number.isInteger(maxLag) || (maxLag as number) < 1 || (maxLag as number) > 10_000_000))
    throw bad('"max_lag" must be a whole number from 1 to 10000000, e.g. 1000 (messages routed to the canary and not acknowledged yet)');
  let keyField: string | undefined;
  if (b.key_field !== undefined) {
    if (typeof b.key_field !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(b.key_field) || b.key_field.length > 128)
      throw bad('"key_field" must name a field of the message data, e.g. "customer_id" or "order.customer_id"');
    keyField = b.key_field;
  }
  return {
    channel,
    group,
    version,
    steps: steps as number[],
    holdMs: duration(b, 'hold', ROLLOUT_DEFAULTS.hold, 1_000, 7 * 86_400_000),
    windowMs: duration(b, 'window', ROLLOUT_DEFAULTS.window, 1_000, 86_400_000),
    maxErrorRate,
    maxLatencyP95Ms: duration(b, 'max_latency_p95', ROLLOUT_DEFAULTS.max_latency_p95, 1, 3_600_000),
    minSamples: minSamples as number,
    ...(maxLag !== undefined ? { maxLag: maxLag as number } : {}),
    ...(keyField !== undefined ? { keyField } : {}),
  };
}

function duration(b: Record<string, unknown>, k: string, fallback: string, min: number, max: number): number {
  const v = b[k] ?? fallback;
  let ms: number;
  try {
    if (typeof v !== 'string') throw new Error('not a string');
    ms = parseDuration(v);
  } catch {
    throw bad(`"${k}" must be a duration such as "500ms", "30s", "2m" or "1h"; got ${JSON.stringify(v)}`);
  }
  if (ms < min || ms > max) throw bad(`"${k}" must be from ${min} ms to ${max / 1000} s; got ${JSON.stringify(v)}`);
  return ms;
}

function bad(message: string): SwitchboardError {
  return new SwitchboardError('BAD_FRAME', message);
}

import type { RolloutSpec } from './rollout-spec.js';
import type { SideFigures } from './rollout-window.js';

/** Where a rollout is: `running` and `paused` route; `rolled_back` and `aborted` keep the canary at weight 0. */
export type RolloutState = 'running' | 'paused' | 'rolled_back' | 'completed' | 'aborted';

/** One change of a rollout, for its history. */
export interface RolloutEvent {
  at: number;
  event: 'started' | 'step' | 'paused' | 'resumed' | 'rolled_back' | 'completed' | 'aborted';
  /** Step index (0-based) and weight after the event. */
  step: number;
  weight: number;
  by?: string;
  reason?: string;
}

/** A rollout as kept in the store (bucket `rollouts`, key `r.<id>`). */
export interface RolloutRecord {
  id: string;
  spec: RolloutSpec;
  state: RolloutState;
  /** Index into `spec.steps`. */
  step: number;
  /** When the current step began (its hold counts from here; moved forward by the time spent paused). */
  stepStartedAt: number;
  pausedAt?: number;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  reason?: string;
  /** The figures the controller judged last (the breach's figures after a rollback). */
  canary?: SideFigures;
  stable?: SideFigures;
  /** Deliveries ended per side since the rollout started, summed over nodes by the controller. */
  totals?: { canary: { delivered: number; errors: number }; stable: { delivered: number; errors: number } };
  /** Messages routed to the canary and not acknowledged yet, summed over the nodes. */
  canaryLag?: number;
  history: RolloutEvent[];
}

/** The canary's share now, in percent (0 once rolled back or aborted, 100 once completed). */
export function weightOf(r: RolloutRecord): number {
  if (r.state === 'rolled_back' || r.state === 'aborted') return 0;
  if (r.state === 'completed') return 100;
  return r.spec.steps[r.step] ?? 0;
}

/** True when the rollout still decides where its group's messages go. */
export function routes(r: RolloutRecord): boolean {
  return r.state !== 'completed';
}

/** True when nothing will change the rollout any more. */
export function isFinal(r: RolloutRecord): boolean {
  return r.state === 'completed' || r.state === 'rolled_back' || r.state === 'aborted';
}

const EMPTY: SideFigures = { delivered: 0, errors: 0, error_rate: 0, latency_p95_ms: null };

/** The JSON of `GET /v1/admin/rollouts/{id}` (and of each item of `GET /v1/admin/rollouts`). */
export interface RolloutStatusJson {
  id: string;
  channel: string;
  group: string;
  version: string;
  state: RolloutState;
  /** 1-based index of the current step. */
  step: number;
  steps: number[];
  /** The canary's share now, in percent. */
  weight: number;
  hold: string;
  window: string;
  max_error_rate: number;
  max_latency_p95: string;
  min_samples: number;
  max_lag?: number;
  key_field?: string;
  reason?: string;
  /** `lag`: messages routed to the canary and not acknowledged yet, over every node. */
  canary: SideFigures & { lag: number };
  stable: SideFigures;
  totals: { canary: { delivered: number; errors: number }; stable: { delivered: number; errors: number } };
  started_at: string;
  updated_at: string;
  step_started_at: string;
  next_step_at?: string;
  created_by: string;
  /** The hub node that runs the rollout's controller. */
  controller?: string;
  history: { at: string; event: RolloutEvent['event']; step: number; weight: number; by?: string; reason?: string }[];
}

/** The JSON of `GET /v1/admin/rollouts/{id}`. */
export function rolloutStatus(r: RolloutRecord, controller: string | undefined): RolloutStatusJson {
  const s = r.spec;
  const running = r.state === 'running';
  const nextAt = running && r.step < s.steps.length ? r.stepStartedAt + s.holdMs : undefined;
  return {
    id: r.id,
    channel: s.channel,
    group: s.group,
    version: s.version,
    state: r.state,
    step: r.step + 1,
    steps: s.steps,
    weight: weightOf(r),
    hold: formatDuration(s.holdMs),
    window: formatDuration(s.windowMs),
    max_error_rate: s.maxErrorRate,
    max_latency_p95: formatDuration(s.maxLatencyP95Ms),
    min_samples: s.minSamples,
    ...(s.maxLag !== undefined ? { max_lag: s.maxLag } : {}),
    ...(s.keyField !== undefined ? { key_field: s.keyField } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    canary: { ...(r.canary ?? EMPTY), lag: r.canaryLag ?? 0 },
    stable: r.stable ?? EMPTY,
    totals: r.totals ?? { canary: { delivered: 0, errors: 0 }, stable: { delivered: 0, errors: 0 } },
    started_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
    step_started_at: new Date(r.stepStartedAt).toISOString(),
    ...(nextAt !== undefined ? { next_step_at: new Date(nextAt).toISOString() } : {}),
    created_by: r.createdBy,
    ...(controller !== undefined ? { controller } : {}),
    history: r.history.map((e) => ({
      at: new Date(e.at).toISOString(),
      event: e.event,
      step: e.step + 1,
      weight: e.weight,
      ...(e.by !== undefined ? { by: e.by } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
    })),
  };
}

/** A duration as written in a request: `2m`, `1m30s`, `2s`, `750ms`. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('') || '0s';
}

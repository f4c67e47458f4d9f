import type { StepKind } from './flow-types.js';
import type { LatencySummary } from './latency.js';
import type { FieldCheck } from './match.js';

/** The outcome of one step (all its repetitions). */
export interface StepResult {
  id: string;
  index: number;
  kind: StepKind;
  repeat: number;
  description?: string;
  /** What was done, in words. */
  action: string;
  /** What should happen. */
  expected: string;
  /** What happened (the first failure when one failed). */
  actual: string;
  pass: boolean;
  /** Wall time of the whole step. */
  ms: number;
  /** Repetitions that passed. */
  passed: number;
  /** Latency of the repetitions (see the guide for what each kind measures). */
  latency?: LatencySummary;
  /** Reasons of the failed repetitions (the first few). */
  failures: string[];
}

/** Expected against actual, field by field, for one checked message. */
export interface ContractCheck {
  /** The step it belongs to. */
  step: string;
  /** e.g. `market.ticks/tick received by core-engine`. */
  subject: string;
  rows: FieldCheck[];
  pass: boolean;
}

/** One performance or count target against what was measured. */
export interface TargetResult {
  index: number;
  /** e.g. `tick-roundtrip p95`, `errors on market.ticks`. */
  metric: string;
  /** e.g. `< 25 ms`, `≤ 0`. */
  target: string;
  actual: string;
  pass: boolean;
  /** False when a missed target was not judged because the machine was overloaded (`actual` says so); `pass` is then true. */
  judged?: boolean;
}

/** Traffic between two components (or a component and the hub) on one channel, as seen by the runner. */
export interface IntegrationPoint {
  from: string;
  to: string;
  /** The channel, `req <type>` for requests, or `METHOD path` for other HTTP calls. */
  channel: string;
  protocol: 'ws' | 'http';
  /** Messages that went through (delivered, accepted, replied). */
  messages: number;
  /** Refusals the flow expected (e.g. a contract violation it sent on purpose). */
  refused: number;
  /** Failures the flow did not expect. */
  errors: number;
  status: 'pass' | 'fail' | 'no traffic';
}

/** A component and what became of it during the run. */
export interface ComponentResult {
  name: string;
  kind: 'sdk' | 'process';
  status: string;
  ok: boolean;
  /** A program's summary: the last JSON object it printed on stdout. */
  summary?: Record<string, unknown>;
}

/** Something that went wrong: a failed step, a missed target, a failed check, a setup problem. */
export interface KnownIssue {
  where: string;
  reason: string;
}

/** Everything one flow run produced; the reports are written from this. */
export interface FlowResult {
  name: string;
  file: string;
  description?: string;
  startedAt: string;
  durationMs: number;
  /** `http://127.0.0.1:PORT (in-process, embedded store)` or the URL given with --hub. */
  hub: string;
  contracts: string;
  components: ComponentResult[];
  steps: StepResult[];
  targets: TargetResult[];
  checks: ContractCheck[];
  points: IntegrationPoint[];
  issues: KnownIssue[];
  /** A problem that stopped the run before or during its steps. */
  setupError?: string;
  pass: boolean;
}

/** Counts for the summary lines. */
export function counts(r: FlowResult): { steps: [number, number]; targets: [number, number]; checks: [number, number] } {
  const c = <T extends { pass: boolean }>(xs: T[]): [number, number] => [xs.filter((x) => x.pass).length, xs.length];
  return { steps: c(r.steps), targets: c(r.targets), checks: c(r.checks) };
}

import type { ErrorCode } from '@switchboard/protocol';

/** How a component answers requests of one type: echo the request's data, a fixed reply, or an error. */
export type ReplySpec = { kind: 'echo' } | { kind: 'data'; data: unknown } | { kind: 'error'; code: ErrorCode; message: string };

/** A component the runner connects itself with the client SDK. */
export interface SdkComponent {
  kind: 'sdk';
  name: string;
  /** JWT (after `${VAR}` expansion); absent in dev mode. */
  token?: string;
  /** Answers to requests, by request type. */
  replies: Record<string, ReplySpec>;
}

/** A component that is a program of its own, started by the runner and stopped at the end. */
export interface ProcessComponent {
  kind: 'process';
  name: string;
  /** Shell command. */
  run: string;
  /** Absolute working directory (the flow file's directory by default). */
  cwd: string;
  env: Record<string, string>;
  /** Ready once a stdout line matches this. */
  readyLine?: RegExp;
  /** Ready after this delay (when there is no `readyLine`; 0 by default). */
  readyDelayMs: number;
  /** Longest wait for `readyLine`. */
  readyTimeoutMs: number;
  /** `manual`: started by a `start` step instead of at start-up. */
  start: 'at-start' | 'manual';
}

export type ComponentSpec = SdkComponent | ProcessComponent;

interface StepBase {
  /** Unique id within the flow; `<kind>-<n>` when not given. */
  id: string;
  /** 1-based position in the flow. */
  index: number;
  /** Times to run the step (latency samples). */
  repeat: number;
  /** Free text shown in the report. */
  description?: string;
}

export interface PublishStep extends StepBase {
  kind: 'publish';
  component: string;
  channel: string;
  type: string;
  data: unknown;
  msgId?: string;
  meta?: Record<string, unknown>;
  /** The publish must be refused with this code. */
  expectError?: ErrorCode;
}

export interface ExpectStep extends StepBase {
  kind: 'expect';
  component: string;
  channel: string;
  group?: string;
  from: 'latest' | 'earliest' | number;
  type?: string;
  source?: string;
  /** Partial object the message's data must match. */
  data?: unknown;
  /** Partial object the message's meta must match (e.g. a dead letter's `dlq.code` and `dlq.reason`). */
  meta?: unknown;
  withinMs: number;
}

export interface RequestStep extends StepBase {
  kind: 'request';
  component: string;
  to: string;
  type: string;
  data: unknown;
  timeoutMs: number;
  expectReply?: unknown;
  expectError?: ErrorCode;
}

export interface HttpStep extends StepBase {
  kind: 'http';
  method: string;
  path: string;
  /** Component the call is made as (its token, or the dev-mode header). */
  component?: string;
  headers: Record<string, string>;
  body?: unknown;
  expectStatus?: number;
  expectBody?: unknown;
}

export interface WaitStep extends StepBase {
  kind: 'wait';
  ms: number;
}

/** Starts a program component (one with `start: manual`) and waits until it is ready. */
export interface StartStep extends StepBase {
  kind: 'start';
  program: string;
}

/** Waits for a program component to exit, then checks its exit code and its summary (last JSON stdout line). */
export interface AwaitStep extends StepBase {
  kind: 'await';
  program: string;
  /** Expected exit code; 0 by default. */
  exitCode: number;
  /** Partial object the summary must match (operators as in `expect`). */
  summary?: unknown;
  timeoutMs: number;
}

export type StepSpec = PublishStep | ExpectStep | RequestStep | HttpStep | WaitStep | StartStep | AwaitStep;
export type StepKind = StepSpec['kind'];

/** Latency percentiles and summaries a target may name. */
export const LATENCY_METRICS = ['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];
/** Counts a target may name. */
export const COUNT_METRICS = ['messages', 'errors', 'refused'] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

interface TargetBase {
  index: number;
  /**
   * A missed target is reported "not judged" (and does not fail the run) when the 1-minute load average at the
   * end of the run exceeds this many runnable processes per CPU: the machine was busy with other work.
   */
  unlessLoadPerCpuAbove?: number;
}

/** A performance or count target. */
export type TargetSpec =
  | (TargetBase & { kind: 'latency'; step: string; metric: LatencyMetric; belowMs: number })
  | (TargetBase & { kind: 'count'; metric: CountMetric; step?: string; channel?: string; atLeast?: number; atMost?: number })
  | (TargetBase & { kind: 'program'; program: string; value: string; below?: number; atLeast?: number; atMost?: number });

/** A validated flow file. */
export interface Flow {
  /** The file as given. */
  file: string;
  /** Absolute directory of the file. */
  dir: string;
  name: string;
  description?: string;
  /** Absolute contracts directory, when the flow names one. */
  contractsDir?: string;
  hub: { configFile?: string; tokenSecret?: string };
  components: ComponentSpec[];
  steps: StepSpec[];
  targets: TargetSpec[];
}

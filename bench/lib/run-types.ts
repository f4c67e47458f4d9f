import type { Percentiles } from './window.js';

/** What one run of the benchmark is: its scenarios, options and results (the types shared by the driver and the scenario runners). */

export type ScenarioKind = 'rate' | 'max' | 'acked' | 'acked-rate' | 'idle' | 'doc' | 'polyglot';

export interface Scenario {
  id: string;
  title: string;
  /**
   * `rate`: open loop at a fixed rate; `max`: closed loop with a window; `acked`: closed loop of acked publishes;
   * `acked-rate`: acked publishes, open loop at a fixed rate; `idle`: connections that only say hello (memory);
   * `doc`: a shared document, every connection subscribed to it and voting on it at a fixed total rate;
   * `polyglot`: the market-data example's Python bridge publishes `ticks` at `rate` to its Java engine (lib/polyglot.ts).
   */
  kind: ScenarioKind;
  /** subscribers (kind `doc`: connections, each both a subscriber and a writer) */
  subscribers: number;
  /** messages per second published (kind `rate`, `acked-rate`, `polyglot`; kind `doc`: updates per second, all writers together) */
  rate?: number;
  /** kind `polyglot`: ticks the bridge publishes in all, and every n-th of them invalid (refused into the DLQ) */
  ticks?: number;
  invalidEvery?: number;
  /** kind `doc`: questions in the document (the votes go round them) */
  questions?: number;
  /** kind `doc`: at least this warm-up, whatever the form's (the first updates on 250 fresh connections are slow) */
  minWarmupMs?: number;
  /** the label of a target in this scenario when its usual one would mislead (e.g. what a peer is used as) */
  labels?: Record<string, string>;
  /** messages in flight (kind `max` and `acked`) */
  window?: number;
  /** idle connections to hold (kind `idle`) */
  connections?: number;
  /** repeats of this scenario in the full form when fewer than the form's (a memory figure varies little) */
  repeats?: number;
  targets: string[];
  /** what is compared between targets: 'latency' at fixed rates, 'throughput' at max, 'memory' when idle */
  compare: 'latency' | 'throughput' | 'memory';
}

export interface RunOptions {
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  idleConnections: number;
}

export interface RunResult {
  scenario: string;
  target: string;
  label: string;
  repeat: number;
  durationMs: number;
  subscribers: number;
  /** deliveries per second (or acked publishes per second) counted while measuring */
  msgPerSec: number;
  /** publishes per second while measuring */
  sentPerSec: number;
  latencyUs: Percentiles;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  server: { pid: number; cpuPct: number; peakRssMb: number; rssMb: number };
  generator: { cpuPct: number; elu: number };
  /** why the figure may be capped by the load generator rather than the server */
  notes: string[];
  errors: string[];
  /** what the server reported about itself at the end (Switchboard: /metrics) */
  serverCounters: Record<string, number>;
  /** kind `idle`: server memory before and after opening the connections */
  idle?: IdleFigures;
  /** kind `doc`: votes, their acknowledgements and the final count read back */
  doc?: DocFigures;
  /** kind `polyglot`: what the bridge and the engine counted, the dead letters, the p99 target */
  polyglot?: PolyglotFigures;
}

export interface IdleFigures {
  /** connections established and held */
  connections: number;
  /** server VmRSS once started, before any connection (MB) */
  rssBeforeMb: number;
  /** server VmRSS with every connection open, after a short settle (MB) */
  rssAfterMb: number;
  /** (after − before) ÷ connections, in KB (1 KB = 1024 bytes) */
  kbPerConnection: number;
  /** time to open them all (s) */
  connectSeconds: number;
}

/** What the document scenario measures beyond the deliveries. */
export interface DocFigures {
  /** connections, each a subscriber and a writer */
  connections: number;
  /** updates per second asked of all writers together */
  rate: number;
  questions: number;
  votesSent: number;
  /** votes the server acknowledged (Switchboard: `ok`; Socket.IO: the ack; NATS: the successful compare-and-set) */
  votesAcked: number;
  /** votes refused or given up */
  votesRefused: number;
  /** acknowledged votes per second while measuring */
  ackedPerSec: number;
  /** update → acknowledgement to its writer */
  ackLatencyUs: Percentiles;
  /** the sum of all counts, read back afresh at the end */
  finalCount: number;
  /** votes acknowledged before the final read that are missing from its count (must be 0) */
  lostVotes: number;
  /** votes counted that were never acknowledged (e.g. still unanswered after the wait) */
  countedUnacked: number;
  /** client-side counters (e.g. compare-and-set retries) */
  clientCounters: Record<string, number>;
}

/** What the polyglot scenario measures beyond the latency. */
export interface PolyglotFigures {
  /** ticks per second the bridge publishes, ticks in all, every n-th one invalid */
  rate: number;
  ticks: number;
  invalidEvery: number;
  /** the first deliveries left out of the latency figures (the form's warm-up at the rate) */
  warmupTicks: number;
  bridge: { sent: number; valid: number; acked: number; refused: number; cpuPct: number };
  engine: { received: number; gaps: number; duplicates: number; outOfOrder: number; redelivered: number; cpuPct: number };
  /** entries in `$dlq.market.ticks` at the end, read over HTTP (one per refused tick) */
  deadLetters: number;
  p99TargetMs: number;
  /** p99 < the target */
  met: boolean;
  versions: { python: string; java: string };
}

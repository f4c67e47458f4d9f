/** The rows of the report: one per scenario × target, medians over the repeats. */

/** The per-metric median of the repeats of one scenario × target. */
export interface Row {
  target: string;
  label: string;
  isSb: boolean;
  repeats: number;
  msgPerSec: number;
  sentPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  lost: number;
  outOfOrder: number;
  srvCpu: number;
  srvRss: number;
  genCpu: number;
  genElu: number;
  notes: string[];
  /** kind `idle` only */
  idle?: { connections: number; connectS: number; rssBefore: number; rssAfter: number; kbPerConn: number };
  /** kind `doc` only */
  doc?: DocRow;
  /** kind `polyglot` only */
  polyglot?: PolyglotRow;
}

/** The document figures of one scenario × target: medians over the repeats, except the correctness counts (sums). */
export interface DocRow {
  rate: number;
  ackedPerSec: number;
  /** update → ok: p50, p90, p99, p99.9, max (µs) */
  ackUs: [number, number, number, number, number];
  /** over all repeats */
  votesSent: number;
  votesAcked: number;
  votesRefused: number;
  finalCount: number;
  lostVotes: number;
  countedUnacked: number;
  /** compare-and-set retries per acked vote (NATS KV), median over the repeats; undefined elsewhere */
  casRetriesPerVote?: number;
}

/** The polyglot figures of one target: medians over the repeats, except the counts (sums). */
export interface PolyglotRow {
  rate: number;
  ticks: number;
  warmupTicks: number;
  targetMs: number;
  /** over all repeats */
  sent: number;
  valid: number;
  acked: number;
  refused: number;
  deadLetters: number;
  received: number;
  gaps: number;
  duplicates: number;
  outOfOrder: number;
  redelivered: number;
  /** repeats whose p99 met the target */
  metRepeats: number;
  bridgeCpu: number;
  engineCpu: number;
  versions: { python: string; java: string };
}

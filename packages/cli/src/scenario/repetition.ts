/** The outcome of one repetition of a step. */
export interface Repetition {
  pass: boolean;
  /** What happened, in words. */
  actual: string;
  /** Latency sample, in ms (see `runRepetition` in steps.ts). */
  sampleMs?: number;
}

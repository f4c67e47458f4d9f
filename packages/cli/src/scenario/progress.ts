import type { Flow } from './flow-types.js';
import { formatMs } from './latency.js';
import { counts, type FlowResult, type StepResult, type TargetResult } from './results.js';

/** Where the runner tells what it is doing while it runs. */
export interface Progress {
  flow(flow: Flow): void;
  info(line: string): void;
  step(r: StepResult, total: number): void;
  /** A long repeated step is still running: `done` of `repeat` repetitions so far. */
  working(stepId: string, done: number, repeat: number): void;
  targets(rs: TargetResult[]): void;
  done(r: FlowResult): void;
}

/** Progress as plain lines written to `out` (stdout, or stderr with --json). */
export function lineProgress(out: (text: string) => void): Progress {
  const line = (s: string) => out(`${s}\n`);
  return {
    flow(flow) {
      line(`Flow ${flow.name} (${flow.file})`);
    },
    info(s) {
      line(`  ${s}`);
    },
    step(r, total) {
      const n = `[${r.index}/${total}]`;
      const lat = r.latency && r.latency.count > 1 ? `  p50 ${formatMs(r.latency.p50)} p95 ${formatMs(r.latency.p95)} max ${formatMs(r.latency.max)}` : '';
      line(`  ${n} ${r.pass ? 'PASS' : 'FAIL'} ${r.id}: ${r.action} (${formatMs(r.ms)})${lat}`);
      if (!r.pass) line(`        ${r.actual}`);
    },
    working(id, done, repeat) {
      line(`        … ${id}: ${done}/${repeat}`);
    },
    targets(rs) {
      if (rs.length === 0) return;
      line('  targets:');
      for (const t of rs) line(`    ${t.judged === false ? 'NOT JUDGED' : t.pass ? 'PASS' : 'FAIL'} ${t.metric} ${t.target}: ${t.actual}`);
    },
    done(r) {
      const c = counts(r);
      if (r.setupError) line(`  setup failed: ${r.setupError}`);
      for (const i of r.issues) if (/^(component|hub) /.test(i.where)) line(`  ${i.where}: ${i.reason}`);
      line(
        `  ${r.pass ? 'PASSED' : 'FAILED'}: ${c.steps[0]}/${c.steps[1]} steps, ${c.targets[0]}/${c.targets[1]} targets, ${c.checks[0]}/${c.checks[1]} contract checks passed (${formatMs(r.durationMs)})`,
      );
    },
  };
}

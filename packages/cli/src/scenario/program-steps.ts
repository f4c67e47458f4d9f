import type { RunContext } from './context.js';
import type { AwaitStep, StartStep } from './flow-types.js';
import { allPass, matchPartial, show, type FieldCheck } from './match.js';
import { startProcess } from './processes.js';
import type { Repetition } from './repetition.js';

/** `start`: starts a `start: manual` program and waits until it is ready; the sample is the time to ready. */
export async function startStep(ctx: RunContext, step: StartStep): Promise<Repetition> {
  const spec = ctx.programSpecs.get(step.program)!;
  if (ctx.programs.has(step.program)) return { pass: false, actual: `${step.program} already runs` };
  const t0 = performance.now();
  try {
    ctx.programs.set(step.program, await startProcess(spec, ctx.hub));
  } catch (err) {
    return { pass: false, actual: (err as Error).message };
  }
  ctx.onProgramStarted(step.program);
  const ms = performance.now() - t0;
  return { pass: true, actual: `ready after ${ms.toFixed(0)} ms`, sampleMs: ms };
}

/**
 * `await`: waits for a program to exit, then compares its exit code and its summary (the last JSON object it
 * printed on stdout) with the step's; the rows go to the contract table. The sample is the time waited.
 */
export async function awaitStep(ctx: RunContext, step: AwaitStep): Promise<Repetition> {
  const p = ctx.programs.get(step.program);
  if (!p) return { pass: false, actual: `${step.program} was not started (add a start step before this one)` };
  ctx.awaitedExit.set(step.program, step.exitCode);
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    p.exit(),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), step.timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const subject = `summary of ${step.program}`;
  if (code === undefined) {
    const rows: FieldCheck[] = [{ field: '(exit code)', expected: String(step.exitCode), actual: `still running after ${step.timeoutMs} ms`, pass: false }];
    ctx.checks.push({ step: step.id, subject, rows, pass: false });
    return {
      pass: false,
      actual: `${step.program} did not exit within ${step.timeoutMs} ms; last output: ${p.tail().slice(-3).join(' | ') || '(none)'}`,
      sampleMs: ms,
    };
  }
  const summary = p.lastJson();
  const rows: FieldCheck[] = [
    { field: '(exit code)', expected: String(step.exitCode), actual: code, pass: code === String(step.exitCode) },
    ...(step.summary !== undefined ? matchPartial(step.summary, summary) : []),
  ];
  const pass = allPass(rows);
  ctx.checks.push({ step: step.id, subject, rows, pass });
  const bad = rows.filter((r) => !r.pass).map((r) => `${r.field || '(summary)'} expected ${r.expected}, got ${r.actual}`);
  const said = `exited (${code}); summary ${show(summary, 160)}`;
  return { pass, actual: pass ? said : `${said}: ${bad.join('; ')}`, sampleMs: ms };
}

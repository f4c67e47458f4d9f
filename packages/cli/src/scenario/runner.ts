import { cpus, loadavg } from 'node:os';
import type { ContractSet } from '@switchboard/contracts';
import { connectComponent, subscribeFor, type RunContext } from './context.js';
import { describeAction, describeExpected, describeTarget } from './describe.js';
import type { Flow, StepSpec, TargetSpec } from './flow-types.js';
import { externalHub, startInProcessHub, type HubTarget } from './hub-target.js';
import { createLatencyRecorder, formatMs, metricValue } from './latency.js';
import { startProcess } from './processes.js';
import type { ComponentResult, FlowResult, KnownIssue, StepResult, TargetResult } from './results.js';
import { runRepetition } from './steps.js';
import { Traffic } from './traffic.js';
import type { Progress } from './progress.js';

/** How to run a flow. */
export interface RunFlowOptions {
  /** Contracts the in-process hub enforces and the report checks received messages against. */
  contracts: ContractSet;
  /** Where the contracts came from, for the report. */
  contractsLabel: string;
  /** A hub that already runs; without it the runner starts one in-process. */
  hubUrl?: string;
  progress: Progress;
  /** 1-minute load average per CPU at the end of the run (injectable for tests); from `os` by default. */
  loadPerCpu?: () => number;
}

const MAX_FAILURES_KEPT = 5;

/** Runs one flow against a hub and gathers everything its reports need. Never throws for a failing flow. */
export async function runFlow(flow: Flow, options: RunFlowOptions): Promise<FlowResult> {
  const { progress } = options;
  const startedAt = new Date();
  const t0 = performance.now();
  progress.flow(flow);
  const steps: StepResult[] = [];
  const issues: KnownIssue[] = [];
  const components: ComponentResult[] = flow.components.map((c) => ({ name: c.name, kind: c.kind, status: 'not started', ok: false }));
  const componentResult = (name: string) => components.find((c) => c.name === name)!;
  let hub: HubTarget | undefined;
  let ctx: RunContext | undefined;
  let setupError: string | undefined;
  const traffic = new Traffic();
  // The programs run in their own process groups, out of reach of the terminal's Ctrl-C: stop them with the runner.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const p of ctx?.programs.values() ?? []) p.kill();
    process.stderr.write(`scenario run: ${signal}, stopped\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    hub = options.hubUrl ? await externalHub(options.hubUrl) : await startInProcessHub({ contracts: options.contracts, ...flow.hub });
    progress.info(`hub: ${hub.label}; contracts: ${options.contractsLabel}`);
    ctx = {
      hub,
      contracts: options.contracts,
      clients: new Map(),
      tokens: new Map(),
      inboxes: new Map(),
      traffic,
      sentAt: new Map(),
      httpSentAt: new Map(),
      httpPublishers: new Set(),
      publishers: new Map(),
      checks: [],
      programSpecs: new Map(flow.components.flatMap((c) => (c.kind === 'process' ? [[c.name, c] as const] : []))),
      programs: new Map(),
      awaitedExit: new Map(),
      onProgramStarted: (name) => Object.assign(componentResult(name), { status: 'started', ok: true }),
    };
    for (const c of flow.components) {
      if (c.kind !== 'sdk') continue;
      try {
        await connectComponent(ctx, c);
      } catch (err) {
        componentResult(c.name).status = `could not connect: ${(err as Error).message}`;
        throw new Error(`component "${c.name}" could not connect to ${hub.ws}: ${(err as Error).message}`);
      }
      Object.assign(componentResult(c.name), { status: 'connected (SDK)', ok: true });
    }
    for (const s of flow.steps) if (s.kind === 'expect') await subscribeFor(ctx, s);
    for (const c of flow.components) {
      if (c.kind !== 'process' || c.start === 'manual') continue;
      progress.info(`starting ${c.name}: ${c.run}`);
      try {
        ctx.programs.set(c.name, await startProcess(c, hub));
      } catch (err) {
        componentResult(c.name).status = `did not start: ${(err as Error).message}`;
        throw err;
      }
      Object.assign(componentResult(c.name), { status: 'started', ok: true });
    }
    const sdk = flow.components.filter((c) => c.kind === 'sdk').map((c) => c.name);
    if (sdk.length > 0) progress.info(`connected: ${sdk.join(', ')}`);
    for (const step of flow.steps) {
      const r = await runStep(ctx, step, progress);
      steps.push(r);
      progress.step(r, flow.steps.length);
    }
  } catch (err) {
    setupError = (err as Error).message;
    issues.push({ where: 'setup', reason: setupError });
  } finally {
    for (const p of ctx?.programs.values() ?? []) {
      const early = p.exitedEarly();
      const c = componentResult(p.name);
      const summary = p.lastJson();
      if (summary !== undefined) c.summary = summary;
      const expected = ctx?.awaitedExit.get(p.name);
      if (early !== undefined && expected !== undefined) {
        Object.assign(c, { status: `ran and exited (${early}); the flow expected ${expected}`, ok: early === String(expected) });
      } else if (early !== undefined && early !== '0') {
        Object.assign(c, { status: `exited (${early}) during the run`, ok: false });
        issues.push({ where: `component ${p.name}`, reason: `exited (${early}) during the run; last output: ${p.tail().slice(-5).join(' | ') || '(none)'}` });
      } else if (early === '0') c.status = 'ran and exited (0)';
      else c.status = 'started; stopped at the end';
      await p.stop();
    }
    if (ctx) for (const client of ctx.clients.values()) await client.close().catch(() => {});
    if (hub) await hub.close().catch((err) => issues.push({ where: 'hub', reason: `error while stopping the hub: ${(err as Error).message}` }));
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }

  for (const s of flow.steps.slice(steps.length)) {
    steps.push({
      id: s.id,
      index: s.index,
      kind: s.kind,
      repeat: s.repeat,
      action: describeAction(s),
      expected: describeExpected(s),
      actual: 'not run (setup failed)',
      pass: false,
      ms: 0,
      passed: 0,
      failures: [],
    });
  }
  for (const s of steps) if (!s.pass && s.actual !== 'not run (setup failed)') issues.push({ where: `step ${s.index} ${s.id}`, reason: s.actual });
  const loadPerCpu = (options.loadPerCpu ?? (() => loadavg()[0]! / cpus().length))();
  const targets = flow.targets.map((t) => judge(t, evaluateTarget(t, steps, traffic, components), loadPerCpu));
  for (const t of targets) if (!t.pass) issues.push({ where: `target ${t.metric} ${t.target}`, reason: `measured ${t.actual}` });
  progress.targets(targets);
  const checks = ctx?.checks ?? [];
  const result: FlowResult = {
    name: flow.name,
    file: flow.file,
    ...(flow.description !== undefined ? { description: flow.description } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    hub: hub?.label ?? options.hubUrl ?? 'in-process (did not start)',
    contracts: options.contractsLabel,
    components,
    steps,
    targets,
    checks,
    points: traffic.list(),
    issues,
    pass: !setupError && steps.every((s) => s.pass) && targets.every((t) => t.pass) && checks.every((c) => c.pass) && components.every((c) => c.ok),
  };
  if (setupError !== undefined) result.setupError = setupError;
  progress.done(result);
  return result;
}

/** How often a long repeated step reports how far it got. */
const WORKING_EVERY_MS = 2_000;

async function runStep(ctx: RunContext, step: StepSpec, progress: Progress): Promise<StepResult> {
  const latency = createLatencyRecorder();
  const failures: string[] = [];
  let passed = 0;
  let lastActual = '';
  const t0 = performance.now();
  let shown = t0;
  for (let i = 0; i < step.repeat; i++) {
    if (performance.now() - shown >= WORKING_EVERY_MS) {
      shown = performance.now();
      progress.working(step.id, i, step.repeat);
    }
    const r = await runRepetition(ctx, step, i);
    if (r.sampleMs !== undefined) latency.record(r.sampleMs);
    if (r.pass) passed++;
    else if (failures.length < MAX_FAILURES_KEPT) failures.push(step.repeat > 1 ? `repetition ${i + 1}: ${r.actual}` : r.actual);
    lastActual = r.actual;
  }
  const ms = performance.now() - t0;
  const pass = passed === step.repeat;
  let actual: string;
  if (step.repeat === 1) actual = lastActual;
  else if (pass) actual = `${passed}/${step.repeat} passed; last: ${lastActual}`;
  else actual = `${step.repeat - passed}/${step.repeat} failed; first: ${failures[0]}`;
  const summary = latency.summary();
  return {
    id: step.id,
    index: step.index,
    kind: step.kind,
    repeat: step.repeat,
    ...(step.description !== undefined ? { description: step.description } : {}),
    action: describeAction(step),
    expected: describeExpected(step),
    actual,
    pass,
    ms,
    passed,
    ...(summary && step.kind !== 'wait' ? { latency: summary } : {}),
    failures,
  };
}

/** A missed target with `unless_load_per_cpu_above` is "not judged" when the machine was busier than that. */
function judge(t: TargetSpec, r: TargetResult, loadPerCpu: number): TargetResult {
  if (r.pass || t.unlessLoadPerCpuAbove === undefined || !(loadPerCpu > t.unlessLoadPerCpuAbove)) return r;
  return {
    ...r,
    pass: true,
    judged: false,
    actual: `${r.actual} — not judged: machine overloaded (load average ${loadPerCpu.toFixed(2)} per CPU > ${t.unlessLoadPerCpuAbove})`,
  };
}

/** The number at a dotted path of a summary, or a reason why there is none. */
function summaryValue(summary: Record<string, unknown> | undefined, path: string): number | string {
  if (summary === undefined) return 'no summary (the program printed no JSON object on stdout)';
  let v: unknown = summary;
  for (const key of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : `${path} is ${JSON.stringify(v) ?? 'absent'} in the summary, not a number`;
}

function evaluateTarget(t: TargetSpec, steps: StepResult[], traffic: Traffic, components: ComponentResult[]): TargetResult {
  const { metric, target } = describeTarget(t);
  if (t.kind === 'program') {
    const v = summaryValue(components.find((c) => c.name === t.program)?.summary, t.value);
    if (typeof v === 'string') return { index: t.index, metric, target, actual: v, pass: false };
    const pass = (t.below === undefined || v < t.below) && (t.atLeast === undefined || v >= t.atLeast) && (t.atMost === undefined || v <= t.atMost);
    return { index: t.index, metric, target, actual: String(v), pass };
  }
  if (t.kind === 'latency') {
    const s = steps.find((x) => x.id === t.step);
    if (!s?.latency) return { index: t.index, metric, target, actual: 'no samples (the step did not run)', pass: false };
    const v = metricValue(s.latency, t.metric);
    return { index: t.index, metric, target, actual: `${formatMs(v)} over ${s.latency.count} sample(s)`, pass: v < t.belowMs };
  }
  const filter = { ...(t.step !== undefined ? { step: t.step } : {}), ...(t.channel !== undefined ? { channel: t.channel } : {}) };
  const v = traffic.total(t.metric, filter);
  const pass = (t.atLeast === undefined || v >= t.atLeast) && (t.atMost === undefined || v <= t.atMost);
  return { index: t.index, metric, target, actual: String(v), pass };
}

import { formatMs } from './latency.js';
import { show } from './match.js';
import { counts, type FlowResult } from './results.js';

/** A table of a report: headings and rows of plain text (the renderers escape). */
export interface Table {
  head: string[];
  rows: string[][];
  /** Index of the column holding PASS/FAIL, for colouring. */
  statusColumn?: number;
  /** Shown instead of an empty table. */
  empty: string;
}

/** One section of a flow's report. */
export interface Section {
  title: string;
  table: Table;
}

const yes = (b: boolean) => (b ? 'PASS' : 'FAIL');
const ratio = ([ok, all]: [number, number]) => `${ok}/${all}`;

/** The overview of every flow of a run. */
export function overviewTable(results: FlowResult[]): Table {
  return {
    head: ['flow', 'result', 'steps passed', 'targets met', 'contract checks passed', 'known issues', 'duration'],
    rows: results.map((r) => {
      const c = counts(r);
      return [r.name, yes(r.pass), ratio(c.steps), ratio(c.targets), ratio(c.checks), String(r.issues.length), formatMs(r.durationMs)];
    }),
    statusColumn: 1,
    empty: 'No flow ran.',
  };
}

/** The sections of one flow's report, in order. */
export function flowSections(r: FlowResult): Section[] {
  const c = counts(r);
  const summary: string[][] = [
    ['flow', r.name],
    ['file', r.file],
    ...(r.description ? [['description', r.description]] : []),
    ['started', r.startedAt],
    ['duration', formatMs(r.durationMs)],
    ['hub', r.hub],
    ['contracts', r.contracts],
    ['result', yes(r.pass)],
    ['steps', `${c.steps[0]} passed, ${c.steps[1] - c.steps[0]} failed`],
    [
      'targets',
      `${c.targets[0]} met, ${c.targets[1] - c.targets[0]} missed${notJudged(r) ? ` (${notJudged(r)} missed but not judged: machine overloaded)` : ''}`,
    ],
    ['contract checks', `${c.checks[0]} passed, ${c.checks[1] - c.checks[0]} failed`],
  ];
  const perf: string[][] = r.targets.map((t) => [t.metric, t.target, t.actual, t.judged === false ? 'NOT JUDGED' : yes(t.pass)]);
  const summaries: string[][] = r.components.flatMap((x) => (x.summary ? leaves(x.summary).map(([field, v]) => [x.name, field, v]) : []));
  const latency: string[][] = r.steps
    .filter((s) => s.latency)
    .map((s) => {
      const l = s.latency!;
      return [s.id, s.kind, String(l.count), formatMs(l.p50), formatMs(l.p95), formatMs(l.p99), formatMs(l.max)];
    });
  return [
    { title: 'Summary', table: { head: ['', ''], rows: summary, empty: '' } },
    // Right after the summary: what went wrong is the first thing a reader of a failed run looks for.
    { title: 'Known issues', table: { head: ['where', 'reason'], rows: r.issues.map((i) => [i.where, i.reason]), empty: 'None.' } },
    {
      title: 'Components',
      table: {
        head: ['component', 'kind', 'status'],
        rows: r.components.map((x) => [x.name, x.kind === 'sdk' ? 'SDK (the runner)' : 'process', x.status]),
        empty: 'No component.',
      },
    },
    { title: 'Program summaries', table: { head: ['program', 'field', 'value'], rows: summaries, empty: 'No program printed a summary.' } },
    {
      title: 'Status by integration point',
      table: {
        head: ['from', 'to', 'channel', 'protocol', 'status', 'messages', 'refused (expected)', 'errors'],
        rows: r.points.map((p) => [
          p.from,
          p.to,
          p.channel,
          p.protocol,
          p.status === 'pass' ? 'PASS' : p.status === 'fail' ? 'FAIL' : 'no traffic',
          String(p.messages),
          String(p.refused),
          String(p.errors),
        ]),
        statusColumn: 4,
        empty: 'No traffic was seen.',
      },
    },
    {
      title: 'Contract tests',
      table: {
        head: ['step', 'message', 'field', 'expected', 'actual', 'pass'],
        rows: r.checks.flatMap((k) => k.rows.map((row) => [k.step, k.subject, row.field || '(data)', row.expected, row.actual, yes(row.pass)])),
        statusColumn: 5,
        empty: 'No message was checked.',
      },
    },
    {
      title: 'End-to-end flow steps',
      table: {
        head: ['#', 'step', 'action', 'expected', 'actual', 'pass', 'ms'],
        rows: r.steps.map((s) => [String(s.index), s.id, s.action, s.expected, s.actual, yes(s.pass), s.ms.toFixed(1)]),
        statusColumn: 5,
        empty: 'No step ran.',
      },
    },
    { title: 'Performance', table: { head: ['metric', 'target', 'actual', 'pass'], rows: perf, statusColumn: 3, empty: 'No target was set.' } },
    { title: 'Latency by step', table: { head: ['step', 'kind', 'samples', 'p50', 'p95', 'p99', 'max'], rows: latency, empty: 'No latency was measured.' } },
  ];
}

function notJudged(r: FlowResult): number {
  return r.targets.filter((t) => t.judged === false).length;
}

/** The fields of a summary as dotted paths and short JSON values (objects are walked, arrays shown whole). */
function leaves(v: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(v).flatMap(([k, x]): [string, string][] => {
    const path = prefix + k;
    return typeof x === 'object' && x !== null && !Array.isArray(x) ? leaves(x as Record<string, unknown>, `${path}.`) : [[path, show(x, 120)]];
  });
}

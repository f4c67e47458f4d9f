import type { FlowResult } from './results.js';

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot hold. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface Case {
  classname: string;
  name: string;
  seconds: number;
  failure?: { message: string; body: string };
  skipped?: string;
  error?: { message: string; body: string };
}

function casesOf(r: FlowResult): Case[] {
  const cases: Case[] = [];
  if (r.setupError) cases.push({ classname: `${r.name}.setup`, name: 'setup', seconds: 0, error: { message: r.setupError, body: r.setupError } });
  for (const c of r.components) {
    if (c.kind === 'process')
      cases.push({ classname: `${r.name}.components`, name: c.name, seconds: 0, ...(c.ok ? {} : { failure: { message: c.status, body: c.status } }) });
  }
  for (const s of r.steps) {
    const name = `${s.index}. ${s.id}: ${s.action}`;
    const body = [`expected: ${s.expected}`, `actual: ${s.actual}`, ...s.failures].join('\n');
    cases.push({ classname: `${r.name}.steps`, name, seconds: s.ms / 1000, ...(s.pass ? {} : { failure: { message: s.actual, body } }) });
  }
  for (const t of r.targets) {
    const failure = { message: `${t.metric}: ${t.actual}, target ${t.target}`, body: `target ${t.target}\nactual ${t.actual}` };
    cases.push({
      classname: `${r.name}.targets`,
      name: `${t.metric} ${t.target}`,
      seconds: 0,
      ...(t.judged === false ? { skipped: t.actual } : t.pass ? {} : { failure }),
    });
  }
  for (const k of r.checks) {
    const bad = k.rows.filter((x) => !x.pass).map((x) => `${x.field || '(data)'}: expected ${x.expected}, actual ${x.actual}`);
    cases.push({
      classname: `${r.name}.contracts`,
      name: `${k.step}: ${k.subject}`,
      seconds: 0,
      ...(k.pass ? {} : { failure: { message: bad[0] ?? 'check failed', body: bad.join('\n') } }),
    });
  }
  return cases;
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${c.seconds.toFixed(3)}"`;
  const problem = c.failure ? (['failure', c.failure] as const) : c.error ? (['error', c.error] as const) : undefined;
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${escapeXml(c.skipped)}"/>\n    </testcase>`;
  if (!problem) return `${open}/>`;
  const [tag, p] = problem;
  return `${open}>\n      <${tag} message="${escapeXml(p.message)}" type="${tag === 'failure' ? 'AssertionError' : 'SetupError'}">${escapeXml(p.body)}</${tag}>\n    </testcase>`;
}

/**
 * The run as JUnit XML: one test suite per flow; one test case per step, target, contract check (and setup
 * problem). A target not judged because the machine was overloaded is a skipped case.
 */
export function renderJunit(results: FlowResult[]): string {
  const suites = results.map((r) => {
    const cases = casesOf(r);
    const failures = cases.filter((c) => c.failure).length;
    const errors = cases.filter((c) => c.error).length;
    const skipped = cases.filter((c) => c.skipped !== undefined).length;
    return `  <testsuite name="${escapeXml(r.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(r.durationMs / 1000).toFixed(3)}" timestamp="${escapeXml(r.startedAt)}" file="${escapeXml(r.file)}">\n${cases.map(caseXml).join('\n')}\n  </testsuite>`;
  });
  const all = results.map(casesOf).flat();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="switchboard scenario run" tests="${all.length}" failures="${all.filter((c) => c.failure).length}" errors="${all.filter((c) => c.error).length}" skipped="${all.filter((c) => c.skipped !== undefined).length}" time="${(results.reduce((a, r) => a + r.durationMs, 0) / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

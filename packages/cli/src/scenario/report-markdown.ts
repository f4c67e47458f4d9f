import { flowSections, overviewTable, type Table } from './report-model.js';
import type { FlowResult } from './results.js';

/** Escapes text for a Markdown table cell (pipes, backslashes, HTML, line breaks). */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>');
}

function mdTable(t: Table): string {
  if (t.rows.length === 0) return `${t.empty}\n`;
  const head = t.head.map((h) => mdCell(h) || ' ');
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const row of t.rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** The integration report in Markdown. */
export function renderMarkdown(results: FlowResult[], generatedAt: string): string {
  const pass = results.every((r) => r.pass);
  const out = [
    `# Integration report\n`,
    `Generated ${generatedAt} by \`switchboard scenario run\`. Result: **${pass ? 'PASS' : 'FAIL'}**.\n`,
    mdTable(overviewTable(results)),
  ];
  for (const r of results) {
    out.push(`## Flow: ${mdCell(r.name)}\n`);
    for (const s of flowSections(r)) out.push(`### ${s.title}\n`, mdTable(s.table));
  }
  return out.join('\n');
}

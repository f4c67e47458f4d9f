import { flowSections, overviewTable, type Table } from './report-model.js';
import type { FlowResult } from './results.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d232a;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #d8dee4;padding-bottom:.3rem}h3{margin-top:1.6rem;font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:13px}th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f3f5f7}tr:nth-child(even) td{background:#fafbfc}.pass{color:#116329;font-weight:600}.fail{color:#b3261e;font-weight:700}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;color:#fff;font-weight:700}.badge.pass{background:#1f883d;color:#fff}.badge.fail{background:#cf222e;color:#fff}
.muted{color:#57606a}table.kv td:first-child{width:12rem;font-weight:600;background:#f6f8fa}
th{white-space:nowrap}td.status{white-space:nowrap;word-break:normal;width:1%}
`;

/** A cell; one of a status column never wraps (`NOT JUDGED`, `no traffic` stay on one line) and is as narrow as its text. */
function cell(text: string, status: boolean): string {
  const classes = status ? ['status', ...(text === 'PASS' ? ['pass'] : text === 'FAIL' ? ['fail'] : [])] : [];
  return `<td${classes.length ? ` class="${classes.join(' ')}"` : ''}>${escapeHtml(text)}</td>`;
}

function htmlTable(t: Table, kv = false): string {
  if (t.rows.length === 0) return `<p class="muted">${escapeHtml(t.empty)}</p>`;
  const head = kv ? '' : `<thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => cell(c, i === t.statusColumn || (kv && i === 1))).join('')}</tr>`).join('\n');
  return `<table${kv ? ' class="kv"' : ''}>${head}<tbody>\n${rows}\n</tbody></table>`;
}

/** The integration report as one self-contained HTML page (inline CSS, no scripts, no external assets). */
export function renderHtml(results: FlowResult[], generatedAt: string): string {
  const pass = results.every((r) => r.pass);
  const body: string[] = [
    `<h1>Integration report <span class="badge ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span></h1>`,
    `<p class="muted">Generated ${escapeHtml(generatedAt)} by <code>switchboard scenario run</code>.</p>`,
    htmlTable(overviewTable(results)),
  ];
  for (const r of results) {
    body.push(`<h2>Flow: ${escapeHtml(r.name)} <span class="badge ${r.pass ? 'pass' : 'fail'}">${r.pass ? 'PASS' : 'FAIL'}</span></h2>`);
    for (const s of flowSections(r)) body.push(`<h3>${escapeHtml(s.title)}</h3>`, htmlTable(s.table, s.title === 'Summary'));
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Integration report: ${escapeHtml(results.map((r) => r.name).join(', '))}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

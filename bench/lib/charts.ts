/**
 * Hand-written SVG charts for RESULTS.md: latency by percentile (log scale, one line per target), throughput
 * (bars per target) and memory per idle connection (bars). No dependency; each file is a few KB of plain SVG.
 */

/** One target's figures as charted. */
export interface ChartRow {
  target: string;
  label: string;
  isSb: boolean;
  /** µs at p50, p90, p99, p99.9 and max */
  latencyUs: [number, number, number, number, number];
  msgPerSec: number;
  kbPerConn?: number;
}

const COLORS: Record<string, string> = {
  switchboard: '#1565c0',
  'switchboard-durable': '#7b1fa2',
  ws: '#616161',
  socketio: '#2e7d32',
  nats: '#ef6c00',
  jetstream: '#8d6e63',
};
const FALLBACK = ['#00838f', '#c62828', '#5d4037', '#283593'];
const color = (t: string, i: number) => COLORS[t] ?? FALLBACK[i % FALLBACK.length]!;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** ms with a precision that suits its size. */
function fmtMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1).replace(/\.0$/, '');
  if (ms >= 1) return ms.toFixed(2).replace(/0$/, '').replace(/\.0$/, '');
  return String(Number(ms.toPrecision(2)));
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

const PERCENTILES = ['p50', 'p90', 'p99', 'p99.9', 'max'];

/** Latency by percentile: x = p50 … max, y = ms on a log scale, one line per target. */
export function latencyChart(title: string, rows: ChartRow[]): string {
  const W = 900,
    H = 320,
    L = 80,
    R = 370,
    T = 40,
    B = 40;
  const pw = W - L - R,
    ph = H - T - B;
  const vals = rows
    .flatMap((r) => r.latencyUs)
    .filter((v) => v > 0)
    .map((us) => us / 1000);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...vals, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals, lo * 10))));
  const y = (ms: number) => T + ph - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const x = (i: number) => L + (i / (PERCENTILES.length - 1)) * pw;
  const body: string[] = [`<text x="${L}" y="22" font-size="14" font-weight="600">${esc(title)}</text>`];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    body.push(`<line x1="${L}" x2="${L + pw}" y1="${y(d).toFixed(1)}" y2="${y(d).toFixed(1)}" stroke="#ddd"/>`);
    body.push(`<text x="${L - 6}" y="${(y(d) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmtMs(d)} ms</text>`);
    for (const k of [2, 5])
      if (d * k < hi) body.push(`<line x1="${L}" x2="${L + pw}" y1="${y(d * k).toFixed(1)}" y2="${y(d * k).toFixed(1)}" stroke="#f0f0f0"/>`);
  }
  PERCENTILES.forEach((p, i) => {
    body.push(`<line x1="${x(i)}" x2="${x(i)}" y1="${T}" y2="${T + ph}" stroke="#eee"/>`);
    body.push(`<text x="${x(i)}" y="${T + ph + 18}" text-anchor="middle" fill="#555">${p}</text>`);
  });
  body.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  body.push(`<text x="${L + pw / 2}" y="${H - 4}" text-anchor="middle" fill="#555">percentile (latency, log scale)</text>`);
  rows.forEach((r, i) => {
    const c = color(r.target, i);
    const pts = r.latencyUs.map((us, j) => `${x(j).toFixed(1)},${y(us / 1000).toFixed(1)}`);
    body.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-width="${r.isSb ? 2.5 : 1.5}"${r.isSb ? '' : ' stroke-dasharray="5 3"'}/>`);
    for (const p of pts) {
      const [px, py] = p.split(',');
      body.push(`<circle cx="${px}" cy="${py}" r="3" fill="${c}"/>`);
    }
    const ly = T + 10 + i * 20;
    body.push(
      `<line x1="${L + pw + 14}" x2="${L + pw + 36}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="${r.isSb ? 2.5 : 1.5}"${r.isSb ? '' : ' stroke-dasharray="5 3"'}/>`,
    );
    body.push(`<text x="${L + pw + 42}" y="${ly + 4}"${r.isSb ? ' font-weight="600"' : ''}>${esc(r.label)} · p99 ${fmtMs(r.latencyUs[2] / 1000)} ms</text>`);
  });
  return svg(W, H, body);
}

/** Horizontal bars, one per target, value at the end of each bar. */
export function barChart(title: string, unit: string, rows: ChartRow[], value: (r: ChartRow) => number, fmt: (v: number) => string): string {
  const W = 720,
    L = 250,
    R = 90,
    T = 40,
    BAR = 22,
    GAP = 8;
  const H = T + rows.length * (BAR + GAP) + 30;
  const pw = W - L - R;
  const max = Math.max(...rows.map(value), 1e-9);
  const body: string[] = [`<text x="12" y="22" font-size="14" font-weight="600">${esc(title)}</text>`];
  rows.forEach((r, i) => {
    const v = value(r);
    const w = Math.max(1, (v / max) * pw);
    const y = T + i * (BAR + GAP);
    body.push(`<text x="${L - 8}" y="${y + BAR / 2 + 4}" text-anchor="end"${r.isSb ? ' font-weight="600"' : ''}>${esc(r.label)}</text>`);
    body.push(`<rect x="${L}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color(r.target, i)}"${r.isSb ? '' : ' fill-opacity="0.75"'}/>`);
    body.push(`<text x="${(L + w + 6).toFixed(1)}" y="${y + BAR / 2 + 4}">${fmt(v)}</text>`);
  });
  body.push(`<line x1="${L}" x2="${L}" y1="${T - 4}" y2="${T + rows.length * (BAR + GAP) - GAP + 4}" stroke="#999"/>`);
  body.push(`<text x="${L}" y="${H - 8}" fill="#555">${esc(unit)}</text>`);
  return svg(W, H, body);
}

export const throughputChart = (title: string, unit: string, rows: ChartRow[]) => barChart(title, unit, rows, (r) => r.msgPerSec, fmtCount);
export const memoryChart = (title: string, rows: ChartRow[]) =>
  barChart(
    title,
    'server RSS per idle connection, KB (lower is better)',
    rows.filter((r) => r.kbPerConn !== undefined),
    (r) => r.kbPerConn!,
    (v) => `${v.toFixed(1)} KB`,
  );

/**
 * Top self-time frames of a V8 CPU profile (`node --cpu-prof`), e.g. of a hub run with `run.ts --cpu-prof <dir>`.
 * Usage: npx tsx bench/profile.ts <file.cpuprofile> [--top 25] [--by function|file] [--from <s>]
 * --from skips the first seconds of the profile (process start, connections) to look at the measured load only.
 * Self time is the time a function was on top of the stack; "(program)" and "(garbage collector)" are V8's own.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
const file = argv.find((a, i) => !a.startsWith('--') && !['--top', '--by', '--from'].includes(argv[i - 1] ?? ''));
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile.ts <file.cpuprofile> [--top 25] [--by function|file]\n');
  process.exit(2);
}
const top = Number(argv[argv.indexOf('--top') + 1]) || 25;
const byFile = argv.includes('--by') && argv[argv.indexOf('--by') + 1] === 'file';
const fromUs = argv.includes('--from') ? Number(argv[argv.indexOf('--from') + 1]) * 1e6 : 0;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;

// time per node from the samples and their deltas (more exact than hitCount × interval)
const selfUs = new Map<number, number>();
let at = 0;
for (let i = 0; i < p.samples.length; i++) {
  at += p.timeDeltas[i] ?? 0;
  if (at < fromUs) continue;
  selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const where = (n: Node) => {
  const u = n.callFrame.url.replace(/^file:\/\//, '');
  if (!u) return '';
  const nm = u.lastIndexOf('node_modules/');
  return nm >= 0 ? u.slice(nm + 13) : u.startsWith('node:') ? u : relative(process.cwd(), u);
};
const agg = new Map<string, number>();
for (const n of p.nodes) {
  const us = selfUs.get(n.id);
  if (!us) continue;
  const key = byFile
    ? where(n) || n.callFrame.functionName
    : `${n.callFrame.functionName || '(anonymous)'} ${where(n)}${where(n) ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  agg.set(key, (agg.get(key) ?? 0) + us);
}
const idle = [...agg].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(((total - idle) / total) * 100).toFixed(1)} % busy; self time as % of busy time\n`);
for (const [k, us] of [...agg]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  process.stdout.write(`${((us / (total - idle)) * 100).toFixed(1).padStart(5)} %  ${k}\n`);
}

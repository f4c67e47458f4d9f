// Feature flags: how long a flag change takes to reach connected OpenFeature providers. N providers
// (@switchboard/openfeature, each on its own socket) follow one flag; an editor changes it C times, one change at a
// time; each provider's PROVIDER_CONFIGURATION_CHANGED is timed from the moment the editor sent the change, on one
// monotonic clock (all in this process), and the provider's next evaluation is checked to have the new value.
// The hub is the built CLI as a child process.
//
//   npm run build && npx tsx bench/flags.ts [--evaluators 250] [--changes 40] [--gap-ms 100]
//
// Prints the figures and the machine as Markdown (for bench/FLAGS-RESULTS.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderEvents } from '@openfeature/server-sdk';
import { connect } from '@switchboard/client';
import { SwitchboardProvider } from '@switchboard/openfeature';
import { machine } from './lib/machine.js';
import { procCpuMs, spawnServer, type ServerHandle } from './lib/proc.js';
import { newHistogram } from './lib/stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

const { values: o } = parseArgs({
  options: {
    evaluators: { type: 'string', default: '250' },
    changes: { type: 'string', default: '40' },
    'gap-ms': { type: 'string', default: '100' },
  },
});
const EVALUATORS = Number(o.evaluators);
const CHANGES = Number(o.changes);
const GAP_MS = Number(o['gap-ms']);

async function startHub(dir: string): Promise<ServerHandle> {
  return spawnServer({
    name: 'switchboard',
    cmd: process.execPath,
    args: [CLI, 'start', '--port', '0', '--dev', '--no-dashboard', '--data', join(dir, 'data')],
    env: { SWITCHBOARD_LOG_LEVEL: 'warn' },
    ready: (out) => {
      const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
  });
}

const flag = (n: number) => ({ state: 'ENABLED', variants: { current: `v${n}`, other: 'x' }, defaultVariant: 'current' });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-flags-'));
  const hub = await startHub(dir);
  const url = `ws://127.0.0.1:${hub.port}/v1/ws`;
  const providers: SwitchboardProvider[] = [];
  try {
    const editor = await connect({ url, component: 'bench-editor', reconnect: false });
    const doc = await editor.doc('flags/bench');
    await doc.update([{ op: 'replace', path: '', value: flag(0) }]);

    const hist = newHistogram();
    let sentAt = 0;
    let seen = 0;
    let stale = 0;
    let current = 0;
    for (let i = 0; i < EVALUATORS; i++) {
      const p = new SwitchboardProvider({ connect: { url, component: `bench-evaluator-${i}`, reconnect: false }, flags: ['bench'] });
      await p.initialize();
      p.events.addHandler(ProviderEvents.ConfigurationChanged, () => {
        seen++;
        if (current === 0) return;
        hist.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        void p.resolveStringEvaluation('bench', 'none', {}).then((r) => {
          if (r.value !== `v${current}`) stale++;
        });
      });
      providers.push(p);
    }
    // One change first, not measured: the first patch of each socket warms its paths.
    await doc.update([{ op: 'replace', path: '/variants/other', value: 'y' }]);
    while (seen < EVALUATORS) await sleep(1);
    seen = 0;
    const cpu0 = procCpuMs(hub.pid);
    const t0 = performance.now();
    for (let c = 1; c <= CHANGES; c++) {
      current = c;
      const expected = c * EVALUATORS;
      sentAt = performance.now();
      await doc.update([{ op: 'replace', path: '/variants/current', value: `v${c}` }]);
      const deadline = performance.now() + 10_000;
      while (seen < expected && performance.now() < deadline) await sleep(1);
      if (seen < expected) throw new Error(`change ${c}: only ${seen - (c - 1) * EVALUATORS} of ${EVALUATORS} providers saw it within 10 s`);
      await sleep(GAP_MS);
    }
    const elapsed = performance.now() - t0;
    const cpu = (procCpuMs(hub.pid) - cpu0) / elapsed;
    await doc.close();
    await editor.close();

    const ms = (q: number) => (hist.getValueAtPercentile(q) / 1000).toFixed(2);
    const m = machine();
    const line = (s: string) => process.stdout.write(s + '\n');
    line(`## Flag change → OpenFeature providers (commit ${m.commit})`);
    line('');
    line(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; kernel ${m.kernel}; load average ${loadavg()[0]!.toFixed(1)} at the end.`);
    line(
      `One hub (\`switchboard start --dev\`, SQLite), ${EVALUATORS} providers on their own sockets following \`flags/bench\`, ${CHANGES} changes ${GAP_MS} ms apart, ${hist.totalCount} change events.`,
    );
    line('');
    line('| figure | value |');
    line('| --- | --- |');
    line(`| change → provider event p50 | ${ms(50)} ms |`);
    line(`| change → provider event p90 | ${ms(90)} ms |`);
    line(`| change → provider event p99 | ${ms(99)} ms |`);
    line(`| change → provider event max | ${(hist.maxValue / 1000).toFixed(2)} ms |`);
    line(`| evaluations right after the event with an older value | ${stale} |`);
    line(`| hub CPU over the run (100 % = one core) | ${Math.round(cpu * 100)} % |`);
  } finally {
    for (const p of providers) await p.onClose().catch(() => undefined);
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// Preloaded into a Switchboard hub by bench/tail-probe.ts (through SWITCHBOARD_BENCH_NODE_ARGS): records the main
// thread's garbage collections (epoch start ms, duration ms, kind) and writes them to $SWITCHBOARD_GC_PROBE_OUT
// when the hub is asked to stop.
const { isMainThread } = require('node:worker_threads');
const out = process.env.SWITCHBOARD_GC_PROBE_OUT;
if (isMainThread && out) {
  const events = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) events.push([performance.timeOrigin + e.startTime, e.duration, e.detail?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGTERM', () => require('node:fs').writeFileSync(out, JSON.stringify(events)));
}

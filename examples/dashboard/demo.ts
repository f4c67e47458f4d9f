/**
 * A hub with traffic worth looking at, for the dashboard: data-bridge streams ticks on market.ticks (the market-data
 * contract; its rate rises and falls, and now and then a tick the contract refuses), core-engine consumes them as a
 * consumer group with manual acks (sometimes slow: lag builds and drains), risk-monitor watches them too,
 * order-service publishes orders to billing and audit, a trading desk edits a shared document.
 *
 *   npm run build && npx tsx examples/dashboard/demo.ts                   # then open the URL it prints; Ctrl-C stops
 *   npx tsx examples/dashboard/demo.ts --screenshots docs/images          # after 80 s of traffic, writes the README's two screenshots
 *
 * History samples are 1 s long here (`admin.history_interval: 1s`, 6 minutes kept) so that the charts fill at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { connect, type SwitchboardClient } from '@switchboard/client';
import { startHub } from '@switchboard/cli';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, screenshots: { type: 'string' }, seconds: { type: 'string', default: '80' } },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sb-dashboard-demo-'));
writeFileSync(join(dir, 'switchboard.yaml'), 'admin:\n  history_interval: 1s\n');
const hub = await startHub({
  port: Number(values.port),
  dataDir: join(dir, 'data'),
  configFile: join(dir, 'switchboard.yaml'),
  contractsDir: join(here, '..', 'market-data', 'contracts'),
  dev: true,
  nodeId: 'hub-1',
  logger: pino({ level: 'warn' }),
});
const ws = hub.url.replace(/^http/, 'ws') + '/v1/ws';
const clients: SwitchboardClient[] = [];
const client = async (component: string, version: string) => {
  const c = await connect({ url: ws, component, version });
  clients.push(c);
  return c;
};

const engine = await client('core-engine', '1.4.0');
let slow = false;
await engine.subscribe('market.ticks', {
  group: 'engine',
  ack: 'manual',
  maxInflight: 200,
  onMessage: (m) => void (slow ? setTimeout(() => m.ack(), 2000) : m.ack()),
});
const risk = await client('risk-monitor', '0.9.2');
await risk.subscribe('market.ticks', { onMessage: () => {} });
const billing = await client('billing', '3.1.0');
await billing.subscribe('orders.created', { group: 'billing', onMessage: () => {} });
const audit = await client('audit', '1.0.0');
await audit.subscribe('orders.>', { onMessage: () => {} });

const bridge = await client('data-bridge', '2.0.1');
const orders = await client('order-service', '5.2.0');
const desk = await client('trading-desk', '0.3.0');
const doc = await desk.doc<{ limit: number; open: number; trader: string }>('desk/eurusd');
if (doc.version === 0) await doc.update([{ op: 'add', path: '', value: { limit: 5_000_000, open: 0, trader: 'ada' } }]);

const started = Date.now();
let n = 0;
const timers = [
  setInterval(() => {
    const t = (Date.now() - started) / 1000;
    const perSecond = 150 + 90 * Math.sin(t / 9) + 30 * Math.sin(t / 2.3);
    slow = Math.sin(t / 13) > 0.6; // now and then core-engine falls behind
    for (let i = 0; i < Math.round(perSecond / 10); i++) {
      n++;
      const bid = 1.08 + Math.sin(n / 500) / 100;
      const tick = n % 173 === 0 ? { symbol: 'eurusd', bid, ask: bid + 0.0002 } : { symbol: 'EURUSD', bid, ask: bid + 0.0002, sent_at: Date.now() };
      bridge.publish('market.ticks', 'tick', tick).catch(() => {});
    }
  }, 100),
  setInterval(() => {
    orders.publish('orders.created', 'order.created', { order_id: `A-${n}`, amount: Math.round(Math.random() * 1000) / 10 }).catch(() => {});
  }, 250),
  setInterval(() => void doc.inc('/open').catch(() => {}), 3000),
];

process.stdout.write(`Switchboard dashboard demo: ${hub.url}/\n`);
const stop = async () => {
  for (const t of timers) clearInterval(t);
  for (const c of clients) await c.close().catch(() => {});
  await hub.hub.close();
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void stop().then(() => process.exit(0)));

if (values.screenshots) {
  const out = resolve(values.screenshots);
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${hub.url}/#/overview`);
  await page.locator('li[data-flow]').first().waitFor();
  await new Promise((r) => setTimeout(r, 2500));
  await page.screenshot({ path: join(out, 'dashboard-overview.png') });
  await page.goto(`${hub.url}/#/channels/market.ticks`);
  await page.locator('.uplot').first().waitFor();
  await new Promise((r) => setTimeout(r, 2500));
  await page.evaluate(() => document.querySelector('.detail')?.scrollIntoView());
  await page.screenshot({ path: join(out, 'dashboard-channel.png') });
  await browser.close();
  process.stdout.write(`wrote ${join(out, 'dashboard-overview.png')} and dashboard-channel.png\n`);
  await stop();
}

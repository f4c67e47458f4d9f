// The dashboard in Chromium against a live hub (dev mode) with real traffic: data-bridge streams ticks on
// market.ticks to core-engine while an operator watches. The page loads; the rate shown rises; a refused tick shows in
// Violations with its reason and the failing field; the map shows data-bridge → market.ticks → core-engine; after a
// contract reload that accepts the refused ticks, replaying them from Dead letters delivers each to core-engine once.
// Every view is photographed at 1280×800 and at a 390-pixel phone width into reports/dashboard/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Envelope } from '@switchboard/protocol';
import { useHub } from '../support/hub-fixture.js';
import { launchChromium, NO_CHROMIUM } from '../support/browser.js';
import { contractsDir, ticks } from '../support/reload-contracts.js';
import type { RawClient } from '../support/raw-client.js';
import { sleep, waitFor } from '../support/util.js';

const REPORTS = join(import.meta.dirname, '..', '..', 'reports', 'dashboard');
const REFUSED = ['BADTICK1', 'BADTICK2', 'BADTICK3'];

interface Tick {
  symbol: string;
  venue?: string;
  n?: number;
}

describe('the dashboard in Chromium, watching live traffic', { skip: NO_CHROMIUM }, () => {
  const contracts = contractsDir(true); // market.ticks: venue required
  const fx = useHub(() => ({ contracts: contracts.dir, nodeId: 'hub-1' }));
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let bridge: RawClient;
  let streaming: NodeJS.Timeout | undefined;
  const received: Envelope<Tick>[] = [];

  before(async () => {
    mkdirSync(REPORTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
    const engine = await fx.connect('core-engine', { version: '1.4.0' });
    engine.tap(
      (f) => f.op === 'msg',
      (f) => received.push(f.msg as Envelope<Tick>),
    );
    assert.equal((await engine.call({ op: 'sub', ch: 'market.ticks', group: 'engine' })).op, 'ok');
    bridge = await fx.connect('data-bridge', { version: '2.0.1' });
    bridge.tap(
      (f) => f.op === 'ok' || f.op === 'err',
      () => {},
    );
  });
  after(async () => {
    clearInterval(streaming);
    await browser?.close();
  });

  /** Publishes a tick from data-bridge (fire and forget: its answer is dropped). */
  let n = 0;
  const tick = (data: Tick) => bridge.send({ op: 'pub', id: `t${++n}`, ch: 'market.ticks', type: 'tick', data });

  const show = async (hash: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
  };

  it('loads: the page from the hub, the overview, the live events connected', async () => {
    const res = await page.goto(`${fx.hub.url}/`);
    assert.equal(res?.status(), 200);
    await page.getByRole('heading', { name: 'Integration map' }).waitFor();
    await page.locator('.pill.ok').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('header .node').innerText(), /node hub-1/);
    assert.deepEqual(pageErrors, []);
  });

  it('while data-bridge streams on market.ticks, the published rate shown rises', async () => {
    await show('#/channels/market.ticks');
    streaming = setInterval(() => tick({ symbol: 'EURUSD', venue: 'XLON', n }), 20); // ~50 a second
    const shown = page.locator('[data-testid=rate-published]');
    const read = async () => Number((await shown.innerText()).replace(/,/g, ''));
    const first = await waitFor(async () => (await read()) > 0 && (await read()), 'a published rate above 0', 15_000);
    const later = await waitFor(
      async () => (await read()) > first && (await read()),
      () => `a published rate above ${first}`,
      15_000,
    );
    assert.ok(later > first, `the rate shown rose from ${first} to ${later} per second`);
  });

  it('the map shows data-bridge → market.ticks → core-engine, and each node links to its view', async () => {
    await show('#/overview');
    await page.locator('li[data-flow="data-bridge → market.ticks → core-engine"]').waitFor({ timeout: 10_000 });
    const map = page.getByRole('img', { name: 'integration map' });
    for (const name of ['component data-bridge', 'channel market.ticks', 'component core-engine'])
      assert.equal(await map.getByRole('link', { name }).count(), 1, name);
    await map.getByRole('link', { name: 'channel market.ticks' }).click();
    await page.getByRole('heading', { name: 'market.ticks', exact: true }).waitFor();
    assert.match(page.url(), /#\/channels\/market\.ticks$/);
    // the channel's settings and its contract, with the schema of each message type
    const detail = page.getByRole('article');
    await detail.getByText(/^durable · retention/).waitFor();
    await detail.locator('summary', { hasText: 'message type tick' }).click();
    assert.match(await detail.locator('details pre.json').innerText(), /"required": \[\s*"symbol",\s*"venue"\s*\]/);
  });

  it('a refused tick appears in Violations with its reason, its payload and the failing field highlighted', async (t) => {
    await show('#/violations');
    await page.getByRole('heading', { name: 'Violations' }).waitFor();
    const sent = Date.now();
    for (const symbol of REFUSED) tick({ symbol });
    const item = page.locator('.violation-item', { hasText: 'data-bridge' }).first();
    await item.waitFor({ timeout: 5_000 });
    t.diagnostic(`the first violation showed ${Date.now() - sent} ms after the publish was sent`);
    assert.match(await item.locator('.reason').innerText(), /venue/);
    assert.match(await item.locator('.code').innerText(), /CONTRACT_VIOLATION/);
    await page
      .locator('.violation-item')
      .nth(REFUSED.length - 1)
      .waitFor();
    // the payload, from its dead letter, with the missing required field marked
    const mark = item.locator('mark.violation');
    await mark.waitFor({ timeout: 10_000 });
    assert.match(await mark.innerText(), /"venue": \(missing\)/);
    assert.match(await item.locator('pre.json').innerText(), /"symbol": "BADTICK\d"/);
  });

  it('after a contract reload that accepts them, replaying one, a selection, then all from Dead letters delivers each refused tick to core-engine once', async () => {
    contracts.write(ticks(false));
    const reload = await fetch(`${fx.hub.url}/v1/contracts/reload`, { method: 'POST' });
    assert.equal(reload.status, 200, await reload.text());

    await show('#/dlq/market.ticks');
    const rows = page.locator('table.dlq tbody tr');
    await waitFor(async () => (await rows.count()) === REFUSED.length, 'the three dead letters listed', 10_000);
    // one, from its inspection
    await page.getByRole('button', { name: 'inspect dead letter 1' }).click();
    await page.getByRole('button', { name: 'Replay this one' }).click();
    const outcome = page.getByRole('status', { name: 'replay outcome' });
    await outcome.getByText('Replay of #1: 1 replayed').waitFor();
    // a selection
    await page.getByRole('checkbox', { name: 'select dead letter 2' }).check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await outcome.getByText('Replay of 1 selected: 1 replayed').waitFor();
    // all: the first two were replayed before, the third now
    await page.getByRole('button', { name: 'Replay all' }).click();
    await outcome.getByText('Replay of all: 1 replayed, 2 already replayed, 0 refused').waitFor();
    assert.deepEqual(await outcome.locator('tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')).filter(Boolean)), [
      'already_replayed',
      'already_replayed',
      'replayed',
    ]);

    const replayed = () => received.filter((m) => REFUSED.includes(m.data.symbol)).map((m) => m.data.symbol);
    await waitFor(
      () => replayed().length === REFUSED.length,
      () => `the replayed ticks at core-engine (got ${replayed().join(', ')})`,
      10_000,
    );
    // a second replay publishes nothing again
    await page.getByRole('button', { name: 'Replay all' }).click();
    await waitFor(
      async () => (await outcome.locator('tr[data-outcome=already_replayed]').count()) === REFUSED.length,
      'three already_replayed outcomes',
      10_000,
    );
    await sleep(500);
    assert.deepEqual(replayed().sort(), [...REFUSED].sort(), 'each refused tick reached core-engine exactly once');
    assert.ok(received.filter((m) => REFUSED.includes(m.data.symbol)).every((m) => m.source === 'data-bridge'));
  });

  it('Documents lists the documents, shows one’s value and version, and its patches as they come', async () => {
    const desk = await fx.connect('trading-desk');
    const update = async (ops: unknown[]) => assert.equal((await desk.call({ op: 'doc.update', doc: 'desk/eurusd', ops })).op, 'ok');
    await update([{ op: 'add', path: '', value: { limit: 5_000_000, open: 12, trader: 'ada' } }]);
    await show('#/documents');
    await page.getByRole('link', { name: /desk\/eurusd/ }).click();
    const doc = page.getByRole('article', { name: 'document desk/eurusd' });
    await doc.getByText('version 1').waitFor();
    assert.match(await doc.locator('pre.json').first().innerText(), /"trader": "ada"/);
    await update([{ op: 'inc', path: '/open', value: 1 }]);
    await doc.getByText('version 2').waitFor();
    assert.match(await doc.locator('pre.json').first().innerText(), /"open": 13/);
    assert.match(await doc.locator('ol.events').innerText(), /v2 remote by trading-desk: .*"inc"/);
  });

  it('is usable with the keyboard, and every control of every view has a name', async () => {
    const page = await context.newPage(); // a fresh tab: the watching one keeps its live state
    await page.goto(`${fx.hub.url}/`);
    await page.getByRole('heading', { name: 'Integration map' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab'); // Overview, Channels, Violations, Dead letters
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /^Dead letters/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    assert.match(page.url(), /#\/dlq$/);

    const show = (hash: string) => page.evaluate((h) => (location.hash = h), hash);
    for (const hash of [
      '#/overview',
      '#/channels/market.ticks',
      '#/violations',
      '#/dlq/market.ticks',
      '#/components',
      '#/documents/desk%2Feurusd',
      '#/cluster',
    ]) {
      await show(hash);
      await page.locator('main h2').first().waitFor();
      await sleep(200);
      const unnamed = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea'))
          .filter((el) => {
            const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            return !labelled && !(el.textContent ?? '').trim();
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      assert.deepEqual(unnamed, [], `${hash}: controls without a name`);
    }
    await page.close();
  });

  it('photographs every view at 1280×800 and at 390 px', async () => {
    // one closed sample of the history, for the charts
    await waitFor(
      async () => {
        const h = (await (await fetch(`${fx.hub.url}/v1/admin/history?ch=market.ticks`)).json()) as { published: number[] };
        return h.published.some((x) => x > 0);
      },
      'a closed history sample of market.ticks with publishes',
      { timeoutMs: 15_000, everyMs: 250 },
    );
    const views: [string, string, (() => Promise<unknown>)?][] = [
      ['overview', '#/overview', () => page.locator('li[data-flow]').first().waitFor()],
      ['channels', '#/channels/market.ticks', () => page.locator('.uplot').first().waitFor()],
      ['violations', '#/violations', () => page.locator('.violation-item').first().waitFor()],
      ['dead-letters', '#/dlq/market.ticks', () => page.locator('table.dlq tbody tr').first().waitFor()],
      ['components', '#/components'],
      ['documents', '#/documents/desk%2Feurusd', () => page.getByText('version 2').waitFor()],
      ['cluster', '#/cluster'],
    ];
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [name, hash, ready] of views) {
        await show(hash);
        await ready?.();
        if (name === 'dead-letters') await page.getByRole('button', { name: 'inspect dead letter 1' }).click();
        await sleep(300);
        await page.screenshot({ path: join(REPORTS, `${name}-${width}.png`), fullPage: width < 1000 });
        // nothing wider than the screen but the scrolling map and tables
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `${name} at ${width} px is ${overflow} px wider than the screen`);
      }
    }
    assert.deepEqual(pageErrors, []);
  });
});

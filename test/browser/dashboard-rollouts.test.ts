// The dashboard's Rollouts view in Chromium against a live hub: a canary rollout of a consumer group with real
// members of two versions and traffic shows its steps, weight, guardrails and both sides' figures; Promote moves it
// to the next step and Abort stops it, each reflected on the page and in the admin API. Screenshots go to
// reports/dashboard/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { publishMany, subscribe, useHub } from '../support/hub-fixture.js';
import { launchChromium, NO_CHROMIUM } from '../support/browser.js';
import type { RawClient } from '../support/raw-client.js';
import { waitFor } from '../support/util.js';

const REPORTS = join(import.meta.dirname, '..', '..', 'reports', 'dashboard');

describe('the Rollouts view in Chromium', { skip: NO_CHROMIUM }, () => {
  const fx = useHub();
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(REPORTS, { recursive: true });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
  });
  after(() => browser?.close());

  async function member(version: string): Promise<RawClient> {
    const c = await fx.connect('billing', { version });
    const { sub } = await subscribe(c, { ch: 'orders.placed', group: 'billing', ack: 'manual' });
    c.tap(
      (f) => f.op === 'msg' && f.sub === sub,
      (f) => c.send({ op: 'ack', sub, seq: f.msg.seq }),
    );
    return c;
  }

  it('shows a live rollout and steers it', async () => {
    await member('1.0.0');
    await member('2.0.0');
    const res = await fetch(`${fx.hub.url}/v1/admin/rollouts`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'orders.placed', group: 'billing', version: '2.0.0', steps: [20, 50, 100], hold: '10m', min_samples: 20 }),
    });
    const { id } = (await res.json()) as { id: string };
    const shop = await fx.connect('shop');
    await publishMany(shop, 'orders.placed', 300, { window: 20 });

    await page.goto(`${fx.hub.url}/#/rollouts/${id}`);
    await page.getByRole('heading', { name: 'orders.placed / billing → 2.0.0: running' }).waitFor({ timeout: 10_000 });
    const steps = page.getByRole('list', { name: 'steps' });
    assert.deepEqual(await steps.getByRole('listitem').allInnerTexts(), ['20 % now', '50 %', '100 %']);
    await waitFor(
      async () =>
        Number(
          await page
            .getByRole('table', { name: 'sides' })
            .getByRole('row', { name: /^canary/ })
            .getByRole('cell')
            .first()
            .innerText(),
        ) > 20,
      'the canary’s deliveries counted on the page',
      10_000,
    );
    assert.match(await page.getByRole('table', { name: 'guardrails' }).innerText(), /error rate\s+0 %\s+5 %\s+yes/);
    await page.screenshot({ path: join(REPORTS, 'rollouts.png'), fullPage: true });

    await page.getByRole('button', { name: 'Promote' }).click();
    await page.locator('.step.now', { hasText: '50 %' }).waitFor();
    assert.match(await page.getByText(/^Canary weight/).innerText(), /Canary weight 50 %/);
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.getByRole('heading', { name: 'orders.placed / billing → 2.0.0: aborted' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Promote' }).count(), 0, 'no verbs on a finished rollout');
    const status = (await (await fetch(`${fx.hub.url}/v1/admin/rollouts/${id}`)).json()) as { state: string; weight: number; history: { event: string }[] };
    assert.deepEqual([status.state, status.weight, status.history.map((e) => e.event)], ['aborted', 0, ['started', 'step', 'aborted']]);
    assert.deepEqual(pageErrors, []);
  });
});

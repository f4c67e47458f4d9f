// The dashboard of a hub that wants tokens: the page loads, but the hub refuses its API calls without a token, and
// with a token that is not an admin's; with an admin token (kept for the tab only) the views and live events work.
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { useHub } from '../support/hub-fixture.js';
import { launchChromium, NO_CHROMIUM } from '../support/browser.js';

const SECRET = 'a-dashboard-test-secret-of-reasonable-length';
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

describe('the dashboard of a token-protected hub', { skip: NO_CHROMIUM }, () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  const open = async (): Promise<{ page: Page; statuses: number[] }> => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/v1/admin/status') statuses.push(r.status());
    });
    await page.goto(`${fx.hub.url}/`);
    return { page, statuses };
  };

  it('without a token: the hub refuses the page’s API calls (401) and the page asks for an admin token', async () => {
    const { page, statuses } = await open();
    await page.getByRole('heading', { name: 'Admin token' }).waitFor();
    assert.deepEqual(statuses, [401]);
    assert.match(await page.getByRole('alert').innerText(), /a token is required/);
    const direct = await page.evaluate(async () => (await fetch('/v1/admin/map')).status);
    assert.equal(direct, 401);
    assert.equal(await page.getByRole('navigation', { name: 'views' }).count(), 0, 'no view is shown');
    const reports = join(import.meta.dirname, '..', '..', 'reports', 'dashboard');
    mkdirSync(reports, { recursive: true });
    await page.screenshot({ path: join(reports, 'admin-token-1280.png') });
  });

  it('with a token that is not an admin’s: refused (403), the page says which claim is missing', async () => {
    const { page, statuses } = await open();
    await page.getByLabel('Admin token').fill(await sign({ sub: 'viewer' }));
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page
      .getByText(/"sb\.admin": true/)
      .first()
      .waitFor();
    assert.match(await page.getByRole('alert').innerText(), /component "viewer" may not read the hub status/);
    assert.deepEqual(statuses, [401, 403]);
  });

  it('with an admin token: the views and the live events work, and the token stays in this tab only', async () => {
    const { page, statuses } = await open();
    const token = await sign({ sub: 'ops', 'sb.admin': true });
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByRole('heading', { name: 'Integration map' }).waitFor();
    await page.locator('.pill.ok').waitFor({ timeout: 10_000 }); // $sys.> subscribed over the socket with the token
    assert.deepEqual(statuses.slice(0, 2), [401, 200]);
    assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem('switchboard.admin-token') !== null, localStorage.length, document.cookie]), [
      true,
      0,
      '',
    ]);
    // the dashboard's own connection is there, as the token's component
    await page.getByRole('link', { name: 'Components' }).click();
    await page.getByRole('rowheader', { name: 'ops' }).waitFor({ timeout: 10_000 });
    // a reload of the tab keeps it; another tab (a new context) asks again
    await page.reload();
    await page.getByRole('heading', { name: 'Components' }).waitFor();
    const other = await open();
    await other.page.getByRole('heading', { name: 'Admin token' }).waitFor();
  });
});

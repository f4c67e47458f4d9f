// What the live-session browser tests share, one per test file: a real hub in the test process with the example's
// contracts and webhooks, a notification receiver and a payment provider (real local HTTP servers), the app built
// by Vite and served by its own server, and Debian's Chromium with the fake camera and the fake permission prompt.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { Poll, Qa, Stage, Supporter } from './web/src/model.js';
import { buildApp, CONTRACTS, newSecrets, startAppServer, startPaymentProvider, writeHubConfig, type Running, type Secrets } from './app.js';
import { startHubInProcess, type InProcessHub } from '../../test/support/hub-in-process.js';
import { startReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.js';
import { CHROMIUM, NO_CHROMIUM } from '../../test/support/browser.js';

export { NO_CHROMIUM };

/** Where the screenshots go (reports/ is what CI keeps). */
export const REPORTS = join(import.meta.dirname, '..', '..', 'reports', 'live-session');

/** The flags of the browser: those of every browser test, Chromium's fake camera and permission prompt, loopback ICE. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // ICE over loopback too, with plain addresses: the tests pass on a machine whose only interface is `lo`.
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** What a page's LiveSession holds (web/src/live-session.ts), as the tests read it. */
export interface SessionState {
  connection: string;
  stage: Stage;
  qa: Qa;
  poll: Poll;
  members: { id: string; name: string; role: string }[];
  supporters: Record<string, Supporter>;
  notice?: { text: string; at: number };
  calls: { peer: string; name: string; state: string; attempt: number; messages: { from: string; text: string }[] }[];
  screenShared: boolean;
}

/** The window of a page of the app (it exposes its LiveSession for the tests to read). */
export type AppWindow = typeof window & { liveSession?: { state: SessionState; client: { state: string } } };

export interface LiveFixture {
  readonly hub: InProcessHub;
  readonly app: Running;
  readonly provider: Running & { checkoutUrl: string };
  readonly notifications: WebhookReceiver;
  readonly secrets: Secrets;
  readonly browser: Browser;
  /** Opens the presenter's page of `session` in a new browser context; resolves once its session is open. */
  presenter(session: string, context?: BrowserContext): Promise<Page>;
  /** Opens an attendee's page, joins as `name`; resolves once its session is open. */
  attendee(session: string, name: string, context?: BrowserContext): Promise<Page>;
  /** Waits until the page's LiveSession is open and connected (after a load or a reload). */
  ready(page: Page): Promise<void>;
  /** The page's session state (documents, members, supporters, calls). */
  state(page: Page): Promise<SessionState>;
  /** Throws with the uncaught errors any page reported. */
  assertNoPageErrors(): void;
}

/** Starts everything in a `before` hook of the enclosing `describe` and stops it in an `after` hook. */
export function useLiveSession(): LiveFixture {
  let hub: InProcessHub | undefined;
  let app: Running | undefined;
  let provider: (Running & { checkoutUrl: string }) | undefined;
  let notifications: WebhookReceiver | undefined;
  let browser: Browser | undefined;
  let out = '';
  const secrets = newSecrets();
  const pageErrors: string[] = [];

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'live-session-test-'));
    notifications = await startReceiver();
    const config = writeHubConfig({ secrets, notifyUrl: notifications.url, dir: out });
    hub = await startHubInProcess({ contracts: CONTRACTS, config });
    const dist = await buildApp(join(out, 'dist'));
    provider = await startPaymentProvider({ hookUrl: `${hub.url}/v1/hooks/payments`, secret: secrets.stripe });
    app = await startAppServer({ dist, config: { hubUrl: hub.wsUrl, session: 'demo', providerUrl: provider.checkoutUrl } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await app?.close();
    await provider?.close();
    await notifications?.close();
    await hub?.cleanup();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} starts in a before() hook; use it inside hooks and tests only`);
    return v;
  };

  const fx: LiveFixture = {
    get hub() {
      return need(hub, 'the hub');
    },
    get app() {
      return need(app, 'the app server');
    },
    get provider() {
      return need(provider, 'the payment provider');
    },
    get notifications() {
      return need(notifications, 'the notification receiver');
    },
    get browser() {
      return need(browser, 'the browser');
    },
    secrets,
    async presenter(session, context) {
      const page = await newPage(context);
      await page.goto(`${fx.app.url}/presenter?session=${session}`);
      await fx.ready(page);
      return page;
    },
    async attendee(session, name, context) {
      const page = await newPage(context);
      await page.goto(`${fx.app.url}/?session=${session}`);
      await page.getByLabel('your name').fill(name);
      await page.getByRole('button', { name: 'Join' }).click();
      await fx.ready(page);
      return page;
    },
    async ready(page) {
      await page.waitForFunction(() => (window as AppWindow).liveSession?.client.state === 'connected', undefined, { timeout: 15_000 });
      await page.getByTestId('slide').waitFor({ timeout: 15_000 });
    },
    state(page) {
      // Media streams do not cross into the test: every other field is plain JSON.
      return page.evaluate(
        () => JSON.parse(JSON.stringify((window as AppWindow).liveSession!.state, (k, v) => (k === 'stream' ? undefined : v))) as SessionState,
      );
    },
    assertNoPageErrors() {
      if (pageErrors.length > 0) throw new Error(`uncaught errors in the pages:\n${pageErrors.join('\n')}`);
    },
  };

  async function newPage(context?: BrowserContext): Promise<Page> {
    const ctx = context ?? (await fx.browser.newContext({ viewport: { width: 1280, height: 860 } }));
    // tsx compiles tests with esbuild's keepNames: functions handed to page.evaluate carry `__name(fn, "name")` calls.
    await ctx.addInitScript('globalThis.__name = (fn) => fn;');
    const page = await ctx.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
    return page;
  }
  return fx;
}

// The client SDK in a real browser: `useBrowser` bundles `@switchboard/client` for the browser platform with
// esbuild (as an application's bundler would), serves it with a blank page from a local HTTP server on port 0,
// and drives Debian's Chromium through playwright-core. No browser is downloaded: the test uses /usr/bin/chromium.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Debian's Chromium, installed by `scripts/test.sh` when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** `false` when Chromium is installed, else the reason to skip the browser tests. */
export const NO_CHROMIUM: false | string = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh installs it)`;

/** Launches headless Chromium (Debian's, {@link CHROMIUM}) with the flags it needs in a container. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The global the bundle defines in the page: the exports of `@switchboard/client`. */
export const SDK_GLOBAL = 'Switchboard';

/**
 * Bundles `@switchboard/client` (its built package, resolved the way an application resolves it) for the
 * browser platform as one IIFE that sets `window.Switchboard`. esbuild fails the build when the SDK imports a
 * Node module (`node:*`, `ws` statically, …); `inputs` lists every file taken in, for a test to check.
 */
export async function bundleClient(): Promise<{ code: string; inputs: string[] }> {
  const out = await build({
    stdin: { contents: "export * from '@switchboard/client';", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: SDK_GLOBAL,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: out.outputFiles[0]!.text, inputs: Object.keys(out.metafile.inputs) };
}

/** What {@link useBrowser} returns; valid inside hooks and tests only. */
export interface BrowserFixture {
  /** `http://127.0.0.1:PORT/`: a blank page that loads the bundle. */
  readonly pageUrl: string;
  /** The bundled SDK and the files it was made of. */
  readonly bundle: { code: string; inputs: string[] };
  /**
   * Opens a new page (its own browser context: its own storage, like a separate tab of another user), loads the
   * SDK and resolves once `window.Switchboard` is there. Uncaught errors of the page fail {@link assertNoPageErrors}.
   */
  openPage(): Promise<Page>;
  /** Throws with every uncaught error any page reported so far (a `ReferenceError: process is not defined`, …). */
  assertNoPageErrors(): void;
}

/**
 * Bundles the SDK, starts the page server and launches headless Chromium in a `before` hook of the enclosing
 * `describe`; closes the browser and the server in an `after` hook.
 */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let pageUrl = '';
  let bundle: { code: string; inputs: string[] } | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    bundle = await bundleClient();
    const js = bundle.code;
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>switchboard</title><script src="/switchboard.js"></script></head><body></body></html>`;
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else if (path === '/switchboard.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  });

  return {
    get pageUrl() {
      return pageUrl;
    },
    get bundle() {
      if (!bundle) throw new Error('useBrowser: the bundle is made in a before() hook; use it inside hooks and tests only');
      return bundle;
    },
    async openPage() {
      if (!browser) throw new Error('useBrowser: the browser starts in a before() hook; use it inside hooks and tests only');
      const context = await browser.newContext();
      // tsx compiles tests with esbuild's keepNames, which wraps functions in `__name(fn, "name")`: the functions
      // handed to page.evaluate carry that call into the page, so the page gets a `__name` that returns fn.
      await context.addInitScript('globalThis.__name = (fn) => fn;');
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
      await page.goto(pageUrl);
      await page.waitForFunction(
        (name) => typeof (window as unknown as Record<string, { connect?: unknown } | undefined>)[name]?.connect === 'function',
        SDK_GLOBAL,
      );
      return page;
    },
    assertNoPageErrors() {
      if (pageErrors.length > 0) throw new Error(`uncaught errors in the page:\n${pageErrors.join('\n')}`);
    },
  };
}

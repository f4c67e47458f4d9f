// The OpenFeature web provider in Chromium: @openfeature/web-sdk and @switchboard/openfeature/web bundled for the
// browser platform with esbuild (as an application's bundler would; no Node module may come in), a page that
// evaluates a flag for its visitor, and an operator's change pushed by the hub: the page's change handler runs and
// the next evaluation has the new value.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { connect } from '@switchboard/client';
import { useHub } from '../support/hub-fixture.js';
import { launchChromium, NO_CHROMIUM } from '../support/browser.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Bundle = typeof import('@openfeature/web-sdk') & typeof import('@switchboard/openfeature/web');
type PageWindow = typeof window & { Flags: Bundle; changes: string[][]; theme: () => string };

describe('the OpenFeature web provider in Chromium', { skip: NO_CHROMIUM }, () => {
  const fx = useHub();
  let browser: Browser;
  let server: Server;
  let pageUrl = '';
  let inputs: string[] = [];

  before(async () => {
    const out = await build({
      stdin: {
        contents: "export { OpenFeature, ProviderEvents } from '@openfeature/web-sdk'; export { SwitchboardWebProvider } from '@switchboard/openfeature/web';",
        resolveDir: ROOT,
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'Flags',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    inputs = Object.keys(out.metafile.inputs);
    const js = out.outputFiles[0]!.text;
    server = createServer((req, res) => {
      if (req.url === '/flags.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script src="/flags.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('evaluates in the page and follows a change pushed by the hub', async () => {
    assert.ok(!inputs.some((f) => f.startsWith('node:')), 'no Node module in the bundle');
    assert.ok(inputs.some((f) => f.includes('murmurhash')) && inputs.some((f) => f.includes('json-logic')), 'the evaluator is in the bundle');
    const editor = await connect({ url: fx.hub.wsUrl, component: 'flag-editor', reconnect: false });
    const doc = await editor.doc('flags/theme');
    await doc.update([
      {
        op: 'replace',
        path: '',
        value: {
          state: 'ENABLED',
          variants: { light: 'light', dark: 'dark' },
          defaultVariant: 'light',
          targeting: {
            fractional: [
              ['dark', 50],
              ['light', 50],
            ],
          },
        },
      },
    ]);

    const page: Page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof (window as unknown as PageWindow).Flags?.SwitchboardWebProvider === 'function');
    const first = await page.evaluate(async (url) => {
      const w = window as PageWindow;
      const { OpenFeature, ProviderEvents, SwitchboardWebProvider } = w.Flags;
      w.changes = [];
      await OpenFeature.setContext({ targetingKey: 'visitor-7' });
      await OpenFeature.setProviderAndWait(new SwitchboardWebProvider({ connect: { url, component: 'web-shop' }, flags: ['theme'] }));
      const client = OpenFeature.getClient();
      client.addHandler(ProviderEvents.ConfigurationChanged, (d) => w.changes.push(d?.flagsChanged ?? []));
      w.theme = () => client.getStringValue('theme', 'none');
      return client.getStringDetails('theme', 'none');
    }, fx.hub.wsUrl);
    assert.equal(first.reason, 'TARGETING_MATCH');
    assert.ok(first.value === 'dark' || first.value === 'light', first.value);

    await doc.update([
      { op: 'replace', path: '/targeting', value: {} },
      { op: 'replace', path: '/defaultVariant', value: 'dark' },
    ]);
    await page.waitForFunction(() => (window as unknown as PageWindow).changes.length === 1);
    assert.deepEqual(await page.evaluate(() => (window as unknown as PageWindow).changes), [['theme']]);
    assert.equal(await page.evaluate(() => (window as unknown as PageWindow).theme()), 'dark');
    assert.deepEqual(errors, []);
    await doc.close();
    await editor.close();
  });
});

// The client SDK runs unchanged in a real browser (headless Chromium): bundled for the browser platform, it
// connects to a real hub through the page's own WebSocket, receives what Node publishes and publishes to Node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub, subscribe } from '../support/hub-fixture.js';
import { NO_CHROMIUM, useBrowser } from '../support/browser.js';

type Sdk = typeof import('@switchboard/client');

describe('the client SDK in Chromium: publish and subscribe', { skip: NO_CHROMIUM }, () => {
  const fx = useHub();
  const browser = useBrowser();

  it('bundles for the browser platform from the SDK and the protocol types only (no Node module, no ws)', () => {
    const foreign = browser.bundle.inputs.filter((f) => f !== '<stdin>' && !/^packages\/(client|protocol)\/dist\//.test(f));
    assert.deepEqual(foreign, [], 'the browser bundle takes in files outside @switchboard/client and @switchboard/protocol');
  });

  it('a page receives what Node publishes, and Node receives what the page publishes', async () => {
    const node = await fx.connect('core-engine');
    const { sub } = await subscribe(node, { ch: 'room.chat', from: 0 });

    const page = await browser.openPage();
    // The page has no `ws` to fall back on: connecting at all means the SDK took the page's own WebSocket.
    await page.evaluate(async (url) => {
      const sb = (window as any).Switchboard as Sdk;
      const received: unknown[] = [];
      const client = await sb.connect({ url, component: 'attendee-ui', version: '1.0.0' });
      await client.subscribe('room.chat', { from: 0, onMessage: (m) => { received.push({ seq: m.seq, type: m.type, data: m.data }); } });
      Object.assign(window, { client, received });
    }, fx.hub.wsUrl);

    const pub = await node.call({ op: 'pub', ch: 'room.chat', type: 'chat', data: { text: 'hello from Node' } });
    assert.equal(pub.op, 'ok', JSON.stringify(pub));
    await page.waitForFunction(() => (window as any).received.length >= 1, undefined, { timeout: 10_000 });

    const seq = await page.evaluate(async () => {
      const { client } = window as any as { client: Awaited<ReturnType<Sdk['connect']>> };
      return (await client.publish('room.chat', 'chat', { text: 'hello from the browser' })).seq;
    });
    const mine = await node.messages(sub, 2, 10_000);
    assert.deepEqual(mine.map((f) => [f.msg.seq, f.msg.type, f.msg.source, f.msg.data]), [
      [1, 'chat', 'core-engine', { text: 'hello from Node' }],
      [seq, 'chat', 'attendee-ui', { text: 'hello from the browser' }],
    ]);
    assert.equal(seq, 2);

    await page.waitForFunction(() => (window as any).received.length >= 2, undefined, { timeout: 10_000 });
    assert.deepEqual(await page.evaluate(() => (window as any).received), [
      { seq: 1, type: 'chat', data: { text: 'hello from Node' } },
      { seq: 2, type: 'chat', data: { text: 'hello from the browser' } },
    ]);
    await page.evaluate(() => (window as any).client.close());
    browser.assertNoPageErrors();
  });
});

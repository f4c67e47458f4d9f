// The client SDK runs unchanged in a real browser (headless Chromium): bundled for the browser platform, it
// connects to a real hub through the page's own WebSocket, receives what Node publishes, publishes to Node, and
// reconnects by itself after a hub restart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub, subscribe } from '../support/hub-fixture.js';
import { NO_CHROMIUM, useBrowser } from '../support/browser.js';
import type { Envelope } from '@switchboard/protocol';
import type { PublishResult, SwitchboardClient } from '@switchboard/client';

type Sdk = typeof import('@switchboard/client');
/** The page's window: the SDK bundle's global, and what the page scripts of these tests keep there. */
type PageWindow = typeof window & {
  Switchboard: Sdk;
  client: SwitchboardClient;
  received: unknown[];
  states: string[];
  offline: Promise<PublishResult>;
};

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
      const sb = (window as PageWindow).Switchboard;
      const received: unknown[] = [];
      const client = await sb.connect({ url, component: 'attendee-ui', version: '1.0.0' });
      await client.subscribe('room.chat', {
        from: 0,
        onMessage: (m) => {
          received.push({ seq: m.seq, type: m.type, data: m.data });
        },
      });
      Object.assign(window, { client, received });
    }, fx.hub.wsUrl);

    const pub = await node.call({ op: 'pub', ch: 'room.chat', type: 'chat', data: { text: 'hello from Node' } });
    assert.equal(pub.op, 'ok', JSON.stringify(pub));
    await page.waitForFunction(() => (window as PageWindow).received.length >= 1, undefined, { timeout: 20_000 });

    const seq = await page.evaluate(async () => {
      const { client } = window as PageWindow;
      return (await client.publish('room.chat', 'chat', { text: 'hello from the browser' })).seq;
    });
    const mine = await node.messages(sub, 2, 20_000);
    assert.deepEqual(
      mine.map((f) => [f.msg.seq, f.msg.type, f.msg.source, f.msg.data]),
      [
        [1, 'chat', 'core-engine', { text: 'hello from Node' }],
        [seq, 'chat', 'attendee-ui', { text: 'hello from the browser' }],
      ],
    );
    assert.equal(seq, 2);

    await page.waitForFunction(() => (window as PageWindow).received.length >= 2, undefined, { timeout: 20_000 });
    assert.deepEqual(await page.evaluate(() => (window as PageWindow).received), [
      { seq: 1, type: 'chat', data: { text: 'hello from Node' } },
      { seq: 2, type: 'chat', data: { text: 'hello from the browser' } },
    ]);
    await page.evaluate(() => (window as PageWindow).client.close());
    browser.assertNoPageErrors();
  });

  it('a page rides out a hub restart: what it published while the hub was down lands once, and it receives again', async () => {
    const page = await browser.openPage();
    await page.evaluate(async (url) => {
      const sb = (window as PageWindow).Switchboard;
      const received: number[] = [];
      const states: string[] = [];
      const client = await sb.connect({ url, component: 'attendee-ui', reconnect: { maxDelayMs: 500 } });
      client.on('state', (s) => {
        states.push(s);
      });
      await client.subscribe('room.restart', {
        from: 0,
        onMessage: (m) => {
          received.push(m.seq);
        },
      });
      Object.assign(window, { client, received, states });
    }, fx.hub.wsUrl);

    await fx.hub.stop();
    await page.waitForFunction(() => (window as PageWindow).states.includes('reconnecting'), undefined, { timeout: 20_000 });
    await page.evaluate(() => {
      (window as PageWindow).offline = (window as PageWindow).client.publish('room.restart', 'chat', { text: 'sent while the hub was down' });
    });
    await fx.restart();
    const seq = await page.evaluate(async () => (await (window as PageWindow).offline).seq);
    assert.equal(seq, 1);

    const node = await fx.connect('core-engine');
    const pub = await node.call({ op: 'pub', ch: 'room.restart', type: 'chat', data: { text: 'after the restart' } });
    assert.equal(pub.seq, 2, JSON.stringify(pub));
    await page.waitForFunction(() => (window as PageWindow).received.length >= 2, undefined, { timeout: 20_000 });
    assert.deepEqual(await page.evaluate(() => (window as PageWindow).received), [1, 2]);
    assert.deepEqual(
      (await fx.history<Envelope<{ text: string }>>('room.restart')).map((m) => [m.seq, m.source, m.data.text]),
      [
        [1, 'attendee-ui', 'sent while the hub was down'],
        [2, 'core-engine', 'after the restart'],
      ],
    );
    assert.equal(await page.evaluate(() => (window as PageWindow).client.state), 'connected');
    await page.evaluate(() => (window as PageWindow).client.close());
    browser.assertNoPageErrors();
  });
});

// A hub with `compression: true` and Chromium: the browser negotiates permessage-deflate without context takeover,
// the SDK in the page receives large messages and document patches exactly as published (the hub compressed them
// once for every subscriber), and the page's own compressed frames are read by the hub.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useHub, subscribe } from '../support/hub-fixture.js';
import { NO_CHROMIUM, useBrowser } from '../support/browser.js';
import type { SwitchboardClient } from '@switchboard/client';

type Sdk = typeof import('@switchboard/client');
type PageWindow = typeof window & { Switchboard: Sdk; client: SwitchboardClient; received: string[]; votes: () => number };

function compressionConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-browser-compression-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'switchboard.yaml'), 'compression: true\n');
  return join(dir, 'switchboard.yaml');
}

describe('Chromium and a hub that compresses', { skip: NO_CHROMIUM }, () => {
  const fx = useHub({ config: compressionConfig() });
  const browser = useBrowser();

  it('negotiates permessage-deflate without context takeover', async () => {
    const page = await browser.openPage();
    const extensions = await page.evaluate(
      (url) =>
        new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(url, 'switchboard.v1');
          ws.onopen = () => {
            resolve(ws.extensions);
            ws.close();
          };
          ws.onerror = () => reject(new Error('the socket failed'));
        }),
      fx.hub.wsUrl,
    );
    assert.match(extensions, /^permessage-deflate/);
    assert.match(extensions, /server_no_context_takeover/);
    assert.match(extensions, /client_no_context_takeover/);
  });

  it('delivers large messages and a burst of patches to the page exactly, and reads the page’s compressed frames', async () => {
    const node = await fx.connect('feed');
    const { sub } = await subscribe(node, { ch: 'room.big', from: 0 });
    const page = await browser.openPage();
    await page.evaluate(async (url) => {
      const sb = (window as PageWindow).Switchboard;
      const client = await sb.connect({ url, component: 'attendee-ui' });
      const received: string[] = [];
      await client.subscribe('room.big', { from: 0, onMessage: (m) => void received.push(JSON.stringify(m.data)) });
      const qa = await client.doc('qa/big');
      Object.assign(window, { client, received, votes: () => (qa.value as { votes?: number } | undefined)?.votes ?? 0 });
    }, fx.hub.wsUrl);

    // A message of about 30 kB, published by Node: compressed by the hub, inflated by Chromium.
    const rows = Array.from({ length: 300 }, (_, i) => ({ i, venue: `XNAS-${i % 7}`, note: `row ${i} of the big message` }));
    const pub = await node.call({ op: 'pub', ch: 'room.big', type: 'rows', data: { rows } });
    assert.equal(pub.op, 'ok', JSON.stringify(pub));
    await page.waitForFunction(() => (window as PageWindow).received.length >= 1, undefined, { timeout: 20_000 });
    assert.deepEqual(JSON.parse((await page.evaluate(() => (window as PageWindow).received[0]))!), { rows });

    // 200 votes at once from Node clients: runs of patches (over 1 KiB) reach the page compressed.
    const voters = await Promise.all(Array.from({ length: 20 }, (_, i) => fx.connect(`voter-${i}`)));
    await voters[0]!.call({ op: 'doc.update', doc: 'qa/big', ops: [{ op: 'add', path: '', value: { votes: 0 } }] });
    await Promise.all(
      voters.flatMap((v) => Array.from({ length: 10 }, () => v.call({ op: 'doc.update', doc: 'qa/big', ops: [{ op: 'inc', path: '/votes', value: 1 }] }))),
    );
    await page.waitForFunction(() => (window as PageWindow).votes() === 200, undefined, { timeout: 20_000 });

    // The page publishes a large message: Chromium compresses it, the hub inflates it, Node gets it exactly.
    const text = 'the quick brown fox '.repeat(500);
    await page.evaluate(async (t) => void (await (window as PageWindow).client.publish('room.big', 'note', { text: t })), text);
    const [first, second] = await node.messages(sub, 2, 20_000);
    assert.deepEqual(first!.msg.data, { rows });
    assert.deepEqual(second!.msg.data, { text });
    browser.assertNoPageErrors();
  });
});

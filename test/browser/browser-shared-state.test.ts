// Shared session state between two browser pages (headless Chromium, each its own browser context) through a
// real hub: Q&A votes on a shared document converge on the exact total in both pages, and presence shows each
// page who else is in the session, with their info.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Presence, SharedDocument, SwitchboardClient } from '@switchboard/client';
import { useHub } from '../support/hub-fixture.js';
import { NO_CHROMIUM, useBrowser } from '../support/browser.js';

type Sdk = typeof import('@switchboard/client');
type Qa = { questions: Record<string, { text: string; votes: number }> };
/** The page's window: the SDK bundle's global, and what the page scripts of these tests keep there. */
type PageWindow = typeof window & {
  Switchboard: Sdk;
  client: SwitchboardClient;
  qa: SharedDocument<Qa>;
  shown: number[];
  room: Presence;
  events: unknown[];
};

describe('the client SDK in Chromium: shared documents and presence across two pages', { skip: NO_CHROMIUM }, () => {
  const fx = useHub();
  const browser = useBrowser();

  /** Opens a page whose SDK client is connected as `component` (as `window.client`). */
  async function connectedPage(component: string): Promise<Page> {
    const page = await browser.openPage();
    await page.evaluate(
      async ({ url, component }) => {
        const sb = (window as PageWindow).Switchboard;
        (window as PageWindow).client = await sb.connect({ url, component });
      },
      { url: fx.hub.wsUrl, component },
    );
    return page;
  }

  it('two pages vote on one question with inc: both show the exact total, as the hub stores it', async () => {
    const [a, b] = await Promise.all([connectedPage('presenter-ui'), connectedPage('attendee-ui')]);
    await a.evaluate(async () => {
      const qa = await (window as PageWindow).client.doc('qa/42');
      await qa.update([{ op: 'add', path: '', value: { questions: { q1: { text: 'Ship it?', votes: 0 } } } }]);
    });
    const perPage = 20;
    for (const page of [a, b]) {
      await page.evaluate(async () => {
        const client = (window as PageWindow).client;
        const qa = await client.doc<Qa>('qa/42');
        const shown: number[] = [];
        qa.on('change', (c) => {
          shown.push(c.value.questions.q1!.votes);
        });
        Object.assign(window, { qa, shown });
      });
    }

    await Promise.all(
      [a, b].map((page) =>
        page.evaluate(async (n) => {
          const qa = (window as PageWindow).qa;
          await Promise.all(Array.from({ length: n }, () => qa.inc('/questions/q1/votes')));
        }, perPage),
      ),
    );

    const total = 2 * perPage;
    for (const page of [a, b]) {
      await page.waitForFunction((v) => (window as PageWindow).qa.version === v && (window as PageWindow).qa.pending === 0, total + 1, { timeout: 20_000 });
      const seen = await page.evaluate(() => ({ value: (window as PageWindow).qa.value, last: (window as PageWindow).shown.at(-1) }));
      assert.deepEqual(seen, { value: { questions: { q1: { text: 'Ship it?', votes: total } } }, last: total });
    }
    const res = await fetch(`${fx.hub.url}/v1/docs/qa/42`);
    assert.deepEqual(await res.json(), { version: total + 1, value: { questions: { q1: { text: 'Ship it?', votes: total } } } });
    browser.assertNoPageErrors();
  });

  it('a page sees another page join and leave the session, with its info', async () => {
    const [a, b] = await Promise.all([connectedPage('presenter-ui'), connectedPage('attendee-ui')]);
    await a.evaluate(async () => {
      const client = (window as PageWindow).client;
      const room = await client.presence('session.42', { name: 'Ada', role: 'speaker' });
      const events: unknown[] = [];
      room.on('join', (m) => {
        events.push(['join', m.component, m.info]);
      });
      room.on('leave', (m) => {
        events.push(['leave', m.component, m.info]);
      });
      Object.assign(window, { room, events });
    });

    const members = await b.evaluate(async () => {
      const client = (window as PageWindow).client;
      const room = await client.presence('session.42', { name: 'Bob', role: 'attendee' });
      (window as PageWindow).room = room;
      return room.members.map((m) => [m.component, m.info]);
    });
    assert.deepEqual(members, [
      ['presenter-ui', { name: 'Ada', role: 'speaker' }],
      ['attendee-ui', { name: 'Bob', role: 'attendee' }],
    ]);

    await a.waitForFunction(() => (window as PageWindow).events.length >= 1, undefined, { timeout: 20_000 });
    assert.deepEqual(await a.evaluate(() => (window as PageWindow).room.members.map((m) => m.info.name)), ['Ada', 'Bob']);

    await b.evaluate(() => (window as PageWindow).room.leave());
    await a.waitForFunction(() => (window as PageWindow).events.length >= 2, undefined, { timeout: 20_000 });
    assert.deepEqual(await a.evaluate(() => (window as PageWindow).events), [
      ['join', 'attendee-ui', { name: 'Bob', role: 'attendee' }],
      ['leave', 'attendee-ui', { name: 'Bob', role: 'attendee' }],
    ]);
    assert.deepEqual(await a.evaluate(() => (window as PageWindow).room.members.map((m) => m.info.name)), ['Ada']);
    browser.assertNoPageErrors();
  });
});

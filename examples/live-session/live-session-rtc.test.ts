// WebRTC between the presenter's page and attendees' pages, signalled through the hub (offer, answer and ICE
// candidates on each peer's ephemeral inbox channel): Chromium's fake camera reaches the attendee, the data channel
// carries messages both ways, screen share start and stop arrive as signalling events, and a call whose offer was
// lost on the way (the test drops it from the attendee's WebSocket) is tried again and connects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ATTEMPT_MS } from './web/src/model.js';
import { NO_CHROMIUM, REPORTS, useLiveSession, type AppWindow, type SessionState } from './live-session-fixture.js';

const SESSION = 'rtc';

/** The attendee's id, as the presenter sees it in the room. */
async function idOf(page: Page): Promise<string> {
  return page.evaluate(() => (window as AppWindow & { liveSession: { me: { id: string } } }).liveSession.me.id);
}

describe('the live session in Chromium: WebRTC signalled through the hub', { skip: NO_CHROMIUM }, () => {
  const fx = useLiveSession();
  let presenter: Page;
  let ada: Page;

  it("the presenter calls an attendee: the fake camera plays on the attendee's page, the data channel carries messages both ways", async () => {
    presenter = await fx.presenter(SESSION);
    ada = await fx.attendee(SESSION, 'Ada');
    const adaId = await idOf(ada);
    await presenter.locator(`[data-attendee="${adaId}"]`).getByRole('button', { name: 'Call' }).click();
    await presenter.locator(`[data-call="${adaId}"][data-state=connected]`).waitFor({ timeout: 15_000 });
    await ada.locator('[data-call=presenter][data-state=connected]').waitFor({ timeout: 15_000 });

    // The presenter's camera (Chromium's fake device) is a live track playing in the attendee's page.
    await ada.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>('[data-call=presenter] video');
        const track = (v?.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return !!v && track?.readyState === 'live' && v.videoWidth > 0;
      },
      undefined,
      { timeout: 15_000 },
    );

    await presenter.locator(`[data-call="${adaId}"]`).getByLabel('chat message').fill('Welcome on stage, Ada');
    await presenter.locator(`[data-call="${adaId}"]`).getByRole('button', { name: 'Send' }).click();
    await ada.locator('[data-call=presenter] [data-testid=chat]').filter({ hasText: 'Welcome on stage, Ada' }).waitFor();
    await ada.locator('[data-call=presenter]').getByLabel('chat message').fill('Thanks! Can you hear me?');
    await ada.locator('[data-call=presenter]').getByRole('button', { name: 'Send' }).click();
    await presenter.locator(`[data-call="${adaId}"] [data-testid=chat]`).filter({ hasText: 'Thanks! Can you hear me?' }).waitFor();
    const presenterSide = (await fx.state(presenter)).calls.find((c) => c.peer === adaId)!;
    assert.deepEqual(presenterSide.messages, [
      { from: 'Presenter', text: 'Welcome on stage, Ada' },
      { from: 'Ada', text: 'Thanks! Can you hear me?' },
    ]);
    assert.equal(presenterSide.attempt, 1);
    mkdirSync(REPORTS, { recursive: true });
    await ada.screenshot({ path: join(REPORTS, 'attendee-call.png') });
    await presenter.screenshot({ path: join(REPORTS, 'presenter-call.png') });
    fx.assertNoPageErrors();
  });

  it('screen share start and stop reach the attendee as signalling events, and the stage tells the room', async () => {
    const bob = await fx.attendee(SESSION, 'Bob'); // in the room, not in the call
    await presenter.getByRole('button', { name: 'Share screen' }).click();
    await ada.getByTestId('screen-shared').waitFor();
    for (const p of [ada, bob]) await p.locator('.slide .sharing').waitFor();
    assert.equal((await fx.state(ada)).screenShared, true);
    assert.equal((await fx.state(bob)).screenShared, false, 'only a page in a call gets the signalling event');
    // The track the attendee receives is still live (the presenter replaced its camera by the screen).
    assert.equal(
      await ada.evaluate(
        () => (document.querySelector<HTMLVideoElement>('[data-call=presenter] video')?.srcObject as MediaStream).getVideoTracks()[0]!.readyState,
      ),
      'live',
    );

    await presenter.getByRole('button', { name: 'Stop sharing' }).click();
    await ada.getByTestId('screen-shared').waitFor({ state: 'detached' });
    for (const p of [ada, bob]) await p.locator('.slide .sharing').waitFor({ state: 'detached' });
    await bob.close();
    fx.assertNoPageErrors();
  });

  it('a call whose offer is lost on the way is tried again with a new offer, and connects', async () => {
    // Carol's WebSocket to the hub goes through the test, which drops the first offer the hub forwards to her.
    const context = await fx.browser.newContext({ viewport: { width: 1280, height: 860 } });
    const dropped: string[] = [];
    await context.routeWebSocket(/\/v1\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (typeof m === 'string' && dropped.length === 0 && m.includes('"op":"msg"') && m.includes('"type":"offer"')) {
          dropped.push(m);
          return;
        }
        ws.send(m);
      });
    });
    const carol = await fx.attendee(SESSION, 'Carol', context);
    const carolId = await idOf(carol);
    // The presenter's page records every state of the call as it shows it.
    await presenter.evaluate((peer) => {
      const w = window as AppWindow & { callStates: string[] };
      w.callStates = [];
      (w.liveSession as unknown as { subscribe(fn: (s: SessionState) => void): void }).subscribe((s) => {
        const c = s.calls.find((x) => x.peer === peer);
        const label = c ? `${c.state}#${c.attempt}` : 'none';
        if (w.callStates.at(-1) !== label) w.callStates.push(label);
      });
    }, carolId);
    const started = Date.now();
    await presenter.locator(`[data-attendee="${carolId}"]`).getByRole('button', { name: 'Call' }).click();
    await presenter.locator(`[data-call="${carolId}"][data-state=connected]`).waitFor({ timeout: 4 * ATTEMPT_MS });
    await carol.locator('[data-call=presenter][data-state=connected]').waitFor();
    const states = await presenter.evaluate(() => (window as AppWindow & { callStates: string[] }).callStates);
    assert.equal(dropped.length, 1, `one offer dropped; the call went ${states.join(' → ')}`);
    assert.deepEqual(states.slice(-3), ['retrying#1', 'retrying#2', 'connected#2'], states.join(' → '));
    assert.ok(Date.now() - started >= ATTEMPT_MS, 'the second attempt came after the first one timed out');

    await carol.locator('[data-call=presenter]').getByLabel('chat message').fill('Got you on the second try');
    await carol.locator('[data-call=presenter]').getByRole('button', { name: 'Send' }).click();
    await presenter.locator(`[data-call="${carolId}"] [data-testid=chat]`).filter({ hasText: 'Got you on the second try' }).waitFor();
    // Ada's call was not disturbed.
    assert.equal((await fx.state(presenter)).calls.find((c) => c.peer !== carolId)?.state, 'connected');
    fx.assertNoPageErrors();
  });
});

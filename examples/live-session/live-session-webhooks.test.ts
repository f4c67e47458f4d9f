// Payments in, notifications out, through the hub's webhooks: an attendee pays at the payment provider (a real
// local HTTP server that signs a Stripe-format event to the hub's inbound webhook) and every page shows her
// supporter badge, a late joiner too; a forged event is refused and changes nothing. When the presenter marks a
// question answered, the notification service (a real local HTTP server) receives one signed webhook with it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { sendCheckoutCompleted } from './app.js';
import { NO_CHROMIUM, REPORTS, useLiveSession, type AppWindow } from './live-session-fixture.js';
import { verifyStandard } from '../../test/support/webhook-hub.js';
import { waitFor } from '../../test/support/util.js';

const SESSION = 'hooks';

async function idOf(page: Page): Promise<string> {
  return page.evaluate(() => (window as AppWindow & { liveSession: { me: { id: string } } }).liveSession.me.id);
}

describe('the live session in Chromium: payments in and notifications out through webhooks', { skip: NO_CHROMIUM }, () => {
  const fx = useLiveSession();
  let presenter: Page;
  let ada: Page;
  let bob: Page;

  it('an attendee pays: the signed provider event sets her supporter badge on every page, a late joiner included', async () => {
    presenter = await fx.presenter(SESSION);
    ada = await fx.attendee(SESSION, 'Ada');
    bob = await fx.attendee(SESSION, 'Bob');
    const adaId = await idOf(ada);
    const bobId = await idOf(bob);
    await presenter.getByTestId('attendee-count').filter({ hasText: '2 attendees' }).waitFor();

    // A forged event (signed with another secret) is refused by the hub and shows nothing.
    const forged = await sendCheckoutCompleted(`${fx.hub.url}/v1/hooks/payments`, 'whsec_not-the-secret', {
      session: SESSION,
      attendee_id: bobId,
      attendee_name: 'Bob',
      amount: 500,
      currency: 'eur',
    });
    assert.equal(forged.status, 401);

    await ada.getByRole('button', { name: 'Support with €5' }).click();
    await ada.getByTestId('you-support').waitFor();
    for (const p of [presenter, ada, bob]) await p.locator(`[data-attendee="${adaId}"] [data-testid=supporter-badge]`).waitFor();
    const carol = await fx.attendee(SESSION, 'Carol');
    await carol.locator(`[data-attendee="${adaId}"] [data-testid=supporter-badge]`).waitFor();

    for (const p of [presenter, ada, bob, carol]) {
      const s = await fx.state(p);
      assert.deepEqual(s.supporters, { [adaId]: { id: adaId, name: 'Ada', amount: 500, currency: 'eur' } });
      assert.equal(await p.locator(`[data-attendee="${bobId}"] [data-testid=supporter-badge]`).count(), 0);
    }
    // The event as the hub stored it: the provider's body, its event id as the message id.
    const stored = (await (await fetch(`${fx.hub.url}/v1/channels/live.payments/messages`)).json()) as {
      messages: { id: string; type: string; source: string; data: { id: string } }[];
    };
    assert.equal(stored.messages.length, 1);
    assert.equal(stored.messages[0]!.type, 'checkout.session.completed');
    assert.equal(stored.messages[0]!.source, 'webhook:payments');
    assert.match(stored.messages[0]!.data.id, /^evt_/);
    await carol.close();
    fx.assertNoPageErrors();
  });

  it('the presenter marks a question answered: the notification service receives it once, signed', async () => {
    await bob.getByLabel('question').fill('Where do the notifications go?');
    await bob.getByRole('button', { name: 'Ask' }).click();
    await ada.locator('[data-question]').first().getByRole('button', { name: 'vote' }).click();
    await presenter.locator('[data-question] [data-testid=votes]').filter({ hasText: '1' }).waitFor();
    const [id, q] = Object.entries((await fx.state(presenter)).qa.questions)[0]!;
    assert.equal(fx.notifications.requests.length, 0);

    await presenter.locator(`[data-question="${id}"]`).getByRole('button', { name: 'Answered' }).click();
    for (const p of [presenter, ada, bob]) await p.locator(`[data-question="${id}"].answered`).waitFor();

    await waitFor(() => fx.notifications.requests.length >= 1, 'the notification webhook', 10_000);
    const req = fx.notifications.requests[0]!;
    const envelope = verifyStandard(fx.secrets.notify, req) as { ch: string; type: string; source: string; data: unknown };
    assert.equal(envelope.ch, 'live.notifications');
    assert.equal(envelope.type, 'question.answered');
    assert.equal(envelope.source, 'live-presenter');
    assert.deepEqual(envelope.data, { session: SESSION, question_id: id, text: 'Where do the notifications go?', author: 'Bob', votes: 1 });
    assert.equal(q.author, 'Bob');
    // Once: the receiver answered 200, nothing is sent again.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fx.notifications.requests.length, 1);
    mkdirSync(REPORTS, { recursive: true });
    await presenter.screenshot({ path: join(REPORTS, 'presenter-supporter.png') });
    fx.assertNoPageErrors();
  });
});

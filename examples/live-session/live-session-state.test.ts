// The live-session app in Chromium against a real hub: three pages (the presenter, two attendees) see the same
// slide, questions, votes and poll; 250 attendees of the Node SDK vote at once and every page ends on the exact
// total; a vote the contract refuses rolls back on that page only, with the reason shown; a late joiner's state is
// the others'; a presenter who reloads finds the session as it was. Screenshots of both views go to
// reports/live-session/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { connect, type SwitchboardClient } from '@switchboard/client';
import { names, voteOps, type Qa } from './web/src/model.js';
import { NO_CHROMIUM, REPORTS, useLiveSession, type AppWindow, type SessionState } from './live-session-fixture.js';

const SESSION = 'state';

/** What a page shows of the Q&A: each question's text and vote count, in the order on screen. */
function shownQuestions(page: Page): Promise<[string, number][]> {
  return page
    .locator('[data-testid=questions] > li')
    .evaluateAll((items) =>
      items.map((li) => [li.querySelector('.text')!.textContent!, Number(li.querySelector('[data-testid=votes]')!.textContent)] as [string, number]),
    );
}

/** The parts of the state every page must agree on (each page's own notice and calls aside). */
function shared(s: SessionState) {
  return { stage: s.stage, qa: s.qa, poll: s.poll, members: [...s.members].sort((a, b) => a.id.localeCompare(b.id)), supporters: s.supporters };
}

describe('the live session in Chromium: state shared by every page', { skip: NO_CHROMIUM }, () => {
  const fx = useLiveSession();
  let presenter: Page;
  let ada: Page;
  let bob: Page;
  let adaId: string;
  /** The id of Ada's question. */
  let q1: string;

  it('three pages see the same slide, questions, votes and poll, in the same order, as they change', async () => {
    presenter = await fx.presenter(SESSION);
    ada = await fx.attendee(SESSION, 'Ada');
    bob = await fx.attendee(SESSION, 'Bob');
    adaId = (await fx.state(ada)).members.find((m) => m.name === 'Ada')!.id;
    await presenter.getByTestId('attendee-count').filter({ hasText: '2 attendees' }).waitFor();

    await ada.getByLabel('question').fill('How do votes never race?');
    await ada.getByRole('button', { name: 'Ask' }).click();
    await bob.getByLabel('question').fill('Can a late joiner see everything?');
    await bob.getByRole('button', { name: 'Ask' }).click();
    await presenter.getByRole('button', { name: 'Next ▶' }).click();
    await presenter.getByRole('button', { name: 'Next ▶' }).click();
    for (const p of [presenter, ada, bob]) await p.locator('[data-testid=questions] > li').nth(1).waitFor();
    q1 = Object.entries((await fx.state(presenter)).qa.questions).find(([, q]) => q.author === 'Ada')![0];

    // Bob votes for Ada's question: it moves up (more votes first) on every page.
    await bob.locator(`[data-question="${q1}"]`).getByRole('button', { name: 'vote' }).click();
    await ada.locator('[data-option="1"] button').click();
    await bob.locator('[data-option="1"] button').click();
    for (const p of [presenter, ada, bob]) {
      await p.locator('[data-slide="2"]').waitFor();
      await p.locator(`[data-question="${q1}"] [data-testid=votes]`).filter({ hasText: '1' }).waitFor();
      await p.locator('[data-option="1"] [data-testid=option-votes]').filter({ hasText: '2' }).waitFor();
    }
    const expected: [string, number][] = [
      ['How do votes never race?', 1],
      ['Can a late joiner see everything?', 0],
    ];
    for (const p of [presenter, ada, bob]) assert.deepEqual(await shownQuestions(p), expected);

    // Moderation: the presenter pins Bob's question (pinned first everywhere), archives nothing yet.
    const q2 = Object.entries((await fx.state(presenter)).qa.questions).find(([, q]) => q.author === 'Bob')![0];
    await presenter.locator(`[data-question="${q2}"]`).getByRole('button', { name: 'Pin' }).click();
    for (const p of [presenter, ada, bob])
      await p
        .locator('[data-testid=questions] > li')
        .first()
        .and(p.locator(`[data-question="${q2}"]`))
        .waitFor();
    for (const p of [ada, bob]) assert.deepEqual(await shownQuestions(p), [expected[1], expected[0]]);

    const states = await Promise.all([presenter, ada, bob].map((p) => fx.state(p)));
    assert.deepEqual(shared(states[1]!), shared(states[0]!));
    assert.deepEqual(shared(states[2]!), shared(states[0]!));
    assert.equal(states[0]!.members.filter((m) => m.role === 'attendee').length, 2);
    fx.assertNoPageErrors();
  });

  it('250 attendees of the Node SDK vote at once: every page ends on the exact total, as the hub stores it', async () => {
    const n = names(SESSION);
    const before = (await fx.state(presenter)).qa.questions[q1]!.votes;
    const clients: SwitchboardClient[] = [];
    try {
      // 250 connections, each a voter of its own (the mark on the question is per voter).
      for (let i = 0; i < 250; i += 50) {
        clients.push(...(await Promise.all(Array.from({ length: 50 }, () => connect({ url: fx.hub.wsUrl, component: 'live-attendee' })))));
      }
      const docs = await Promise.all(clients.map((c) => c.doc<Qa>(n.qa)));
      const versions = await Promise.all(docs.map((d, i) => d.update(voteOps(q1, `sim${i}`))));
      assert.equal(new Set(versions).size, 250, 'each vote is a version of its own');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const total = before + 250;
    const stored = (await (await fetch(`${fx.hub.url}/v1/docs/${n.qa}`)).json()) as { value: Qa };
    assert.equal(stored.value.questions[q1]!.votes, total);
    assert.equal(Object.keys(stored.value.questions[q1]!.voters).length, total);
    for (const p of [presenter, ada, bob]) {
      await p
        .locator(`[data-question="${q1}"] [data-testid=votes]`)
        .filter({ hasText: String(total) })
        .waitFor({ timeout: 20_000 });
      assert.equal((await fx.state(p)).qa.questions[q1]!.votes, total);
    }
    fx.assertNoPageErrors();
  });

  it('a vote the contract refuses (a second vote of Ada) shows at once, rolls back on her page only, and says why', async () => {
    // Each page records every vote count of q1 it shows, from now on.
    for (const p of [presenter, ada, bob]) {
      await p.evaluate((id) => {
        const w = window as AppWindow & { seen: number[] };
        w.seen = [];
        (w.liveSession as unknown as { subscribe(fn: (s: SessionState) => void): void }).subscribe((s) => w.seen.push(s.qa.questions[id]!.votes));
      }, q1);
    }
    const votes = (await fx.state(ada)).qa.questions[q1]!.votes;
    const vote = ada.locator(`[data-question="${q1}"]`).getByRole('button', { name: 'vote' });
    await vote.click();
    await vote.click();
    await ada.getByTestId('notice').filter({ hasText: 'You have already voted for this question' }).waitFor();
    const adaSeen = await ada.evaluate(() => (window as AppWindow & { seen: number[] }).seen);
    // Optimistic: both votes showed on her page at once; the refused one came back off, the first one stays.
    assert.ok(adaSeen.includes(votes + 2), `Ada's page showed the second vote at once: ${JSON.stringify(adaSeen)}`);
    assert.equal(adaSeen.at(-1), votes + 1, `after the rollback Ada's page shows ${votes + 1}: ${JSON.stringify(adaSeen)}`);
    assert.equal((await fx.state(ada)).qa.questions[q1]!.voters[adaId], 1);

    const stored = (await (await fetch(`${fx.hub.url}/v1/docs/${names(SESSION).qa}`)).json()) as { value: Qa };
    const afterAda = stored.value.questions[q1]!.votes;
    // Her first vote counted (she had not voted for her own question yet); the second did not.
    assert.equal(afterAda, votes + 1);
    for (const p of [presenter, bob]) {
      await p
        .locator(`[data-question="${q1}"] [data-testid=votes]`)
        .filter({ hasText: String(afterAda) })
        .waitFor();
      const seen = await p.evaluate(() => (window as AppWindow & { seen: number[] }).seen);
      assert.ok(Math.max(...seen) <= afterAda, `no other page showed the refused vote: ${JSON.stringify(seen)}`);
      assert.equal(await p.getByTestId('notice').count(), 0);
    }
    await ada
      .locator(`[data-question="${q1}"] [data-testid=votes]`)
      .filter({ hasText: String(afterAda) })
      .waitFor();
    fx.assertNoPageErrors();
  });

  it("a late joiner gets the whole state at once: its state equals the others'", async () => {
    const carol = await fx.attendee(SESSION, 'Carol');
    await presenter.getByTestId('attendee-count').filter({ hasText: '3 attendees' }).waitFor();
    await ada.getByTestId('attendee-count').filter({ hasText: '3 attendees' }).waitFor();
    const [p, a, c] = await Promise.all([presenter, ada, carol].map((pg) => fx.state(pg)));
    assert.deepEqual(shared(c!), shared(p!));
    assert.deepEqual(shared(a!), shared(p!));
    assert.deepEqual(await shownQuestions(carol), await shownQuestions(ada));
    assert.equal(await carol.getByTestId('slide').getAttribute('data-slide'), '2');
    await carol.close();
    fx.assertNoPageErrors();
  });

  it('a presenter who reloads finds the session as it was', async () => {
    await presenter.locator('[data-testid=attendee-count]').filter({ hasText: '2 attendees' }).waitFor();
    const before = shared(await fx.state(presenter));
    const shownBefore = await shownQuestions(presenter);
    await presenter.reload();
    await fx.ready(presenter);
    await presenter.getByTestId('attendee-count').filter({ hasText: '2 attendees' }).waitFor();
    assert.deepEqual(shared(await fx.state(presenter)), before);
    assert.deepEqual(await shownQuestions(presenter), shownBefore);
    assert.equal(await presenter.getByTestId('slide').getAttribute('data-slide'), '2');
    // And the session goes on from there.
    await presenter.getByRole('button', { name: 'Next ▶' }).click();
    await ada.locator('[data-slide="3"]').waitFor();
    fx.assertNoPageErrors();
  });

  it('screenshots of both views', async () => {
    mkdirSync(REPORTS, { recursive: true });
    await presenter.screenshot({ path: join(REPORTS, 'presenter.png') });
    await ada.screenshot({ path: join(REPORTS, 'attendee.png') });
  });
});

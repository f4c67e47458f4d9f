// The attendee's view: the slide, asking and voting, the poll, the presenter's call, supporting the session.
import { useState } from 'preact/hooks';
import type { LiveSession } from '../live-session';
import { Attendees, Badge, Banner, CallPanel, PollResults, Questions, SlideView, StatusBar, useSession } from './parts';

export function AttendeeView({ live, providerUrl }: { live: LiveSession; providerUrl?: string }) {
  const state = useSession(live);
  const [text, setText] = useState('');
  const [paying, setPaying] = useState(false);
  const me = live.me;
  const pay = async () => {
    if (!providerUrl) return;
    setPaying(true);
    try {
      const res = await fetch(providerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: live.session, attendee_id: me.id, attendee_name: me.name, amount: 500, currency: 'eur' }),
      });
      if (!res.ok) throw new Error(`the payment provider answered ${res.status}`);
    } catch (err) {
      alert((err as Error).message);
    } finally {
      setPaying(false);
    }
  };
  return (
    <div class="page attendee">
      <StatusBar state={state} title={`${me.name} · ${live.session}`} />
      <Banner live={live} state={state} />
      <main class="grid">
        <div class="col main-col">
          <SlideView state={state} />
          {state.calls.map((c) => (
            <CallPanel key={c.peer} call={c} live={live} showVideo />
          ))}
          {state.screenShared ? (
            <p class="sharing" data-testid="screen-shared">
              The presenter is sharing a screen with you.
            </p>
          ) : null}
          <section class="panel">
            <h2>Q&amp;A</h2>
            <form
              class="ask"
              onSubmit={(e) => {
                e.preventDefault();
                void live.ask(text.trim()).then((ok) => ok && setText(''));
              }}
            >
              <input value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="Ask a question" aria-label="question" maxLength={400} />
              <button>Ask</button>
            </form>
            <Questions
              state={state}
              actions={(id, q) => (
                <button class={q.voters[me.id] ? 'vote voted' : 'vote'} onClick={() => live.vote(id)} aria-label="vote" title="one vote per attendee">
                  ▲ {q.voters[me.id] ? 'voted' : 'vote'}
                </button>
              )}
            />
          </section>
        </div>
        <div class="col side-col">
          <section class="panel">
            <h2>Poll</h2>
            <PollResults poll={state.poll} onAnswer={(i) => live.answerPoll(i)} mine={me.id} />
          </section>
          <section class="panel">
            <h2>Support this session</h2>
            {state.supporters[me.id] ? (
              <p data-testid="you-support">
                Thank you! <Badge s={state.supporters[me.id]} />
              </p>
            ) : (
              <button onClick={pay} disabled={paying || !providerUrl}>
                Support with €5
              </button>
            )}
          </section>
          <Attendees state={state} />
        </div>
      </main>
    </div>
  );
}

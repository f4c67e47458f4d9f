// The presenter's view: the slide with its controls, the room, the Q&A with moderation, the poll, the calls.
import { useState } from 'preact/hooks';
import { DECK } from '../deck';
import type { LiveSession } from '../live-session';
import { Attendees, Banner, CallPanel, PollResults, Questions, SlideView, StatusBar, useSession } from './parts';

export function PresenterView({ live }: { live: LiveSession }) {
  const state = useSession(live);
  const [showArchived, setShowArchived] = useState(false);
  const [pollText, setPollText] = useState('');
  const slide = state.stage.slide;
  return (
    <div class="page presenter">
      <StatusBar state={state} title={`Presenter · ${live.session}`} />
      <Banner live={live} state={state} />
      <main class="grid">
        <div class="col main-col">
          <SlideView state={state} />
          <div class="controls">
            <button onClick={() => live.goTo(slide - 1)} disabled={slide <= 0}>
              ◀ Previous
            </button>
            <button onClick={() => live.goTo(slide + 1)} disabled={slide >= DECK.length - 1}>
              Next ▶
            </button>
            <button onClick={() => live.setSharing(!state.stage.sharing)}>{state.stage.sharing ? 'Stop sharing' : 'Share screen'}</button>
          </div>
          <section class="panel">
            <h2>Q&amp;A</h2>
            <Questions
              state={state}
              actions={(id, q) => (
                <>
                  {!q.answered && <button onClick={() => live.moderate(id, q.pinned ? 'unpin' : 'pin')}>{q.pinned ? 'Unpin' : 'Pin'}</button>}
                  {!q.answered && <button onClick={() => live.moderate(id, 'answered')}>Answered</button>}
                  <button onClick={() => live.moderate(id, 'archive')}>Archive</button>
                </>
              )}
            />
            <button class="link" onClick={() => setShowArchived(!showArchived)}>
              {showArchived ? 'Hide archived' : 'Show archived'}
            </button>
            {showArchived && <Questions state={state} archived actions={(id) => <button onClick={() => live.moderate(id, 'restore')}>Restore</button>} />}
          </section>
        </div>
        <div class="col side-col">
          <Attendees state={state}>
            {(m) =>
              state.calls.some((c) => c.peer === m.id) ? null : (
                <button class="small" onClick={() => live.calls.call(m.id, m.name)}>
                  Call
                </button>
              )
            }
          </Attendees>
          {state.calls.map((c) => (
            <CallPanel key={c.peer} call={c} live={live} showVideo={false} />
          ))}
          <section class="panel">
            <h2>Poll</h2>
            <PollResults poll={state.poll} />
            <button onClick={() => live.setPollOpen(!state.poll.open)}>{state.poll.open ? 'Close poll' : 'Reopen poll'}</button>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const [question, ...options] = pollText.split('|').map((s) => s.trim());
                if (question && options.length >= 2) void live.newPoll(question, options).then((ok) => ok && setPollText(''));
              }}
            >
              <input
                value={pollText}
                onInput={(e) => setPollText(e.currentTarget.value)}
                placeholder="New poll: question | option | option"
                aria-label="new poll"
              />
              <button>Start</button>
            </form>
          </section>
        </div>
      </main>
    </div>
  );
}

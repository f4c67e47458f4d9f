// The pieces both views are made of. Each renders a part of the session state; actions go back to LiveSession.
import { useEffect, useRef, useState } from 'preact/hooks';
import { DECK } from '../deck';
import { orderedQuestions, type Poll, type Question, type Supporter } from '../model';
import type { LiveSession, SessionState } from '../live-session';
import type { CallView } from '../rtc';

/** The session state, re-rendered on every change. */
export function useSession(live: LiveSession): SessionState {
  const [state, setState] = useState(live.state);
  useEffect(() => live.subscribe(setState), [live]);
  return state;
}

export function StatusBar({ state, title }: { state: SessionState; title: string }) {
  return (
    <header class="bar">
      <strong>{title}</strong>
      <span class={`conn ${state.connection}`} data-testid="connection">
        {state.connection}
      </span>
      <span class="count" data-testid="attendee-count">
        {state.members.filter((m) => m.role === 'attendee').length} attendees
      </span>
    </header>
  );
}

export function Banner({ live, state }: { live: LiveSession; state: SessionState }) {
  if (!state.notice) return null;
  return (
    <div class="banner" role="alert" data-testid="notice">
      <span>{state.notice.text}</span>
      <button onClick={() => live.dismissNotice()} aria-label="dismiss">
        ×
      </button>
    </div>
  );
}

export function SlideView({ state }: { state: SessionState }) {
  const slide = DECK[state.stage.slide] ?? DECK[0]!;
  return (
    <section class="slide" data-testid="slide" data-slide={state.stage.slide}>
      <h1>{slide.title}</h1>
      <ul>
        {slide.points.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <footer>
        slide {state.stage.slide + 1} / {DECK.length}
        {state.stage.sharing ? <span class="sharing"> · the presenter is sharing a screen</span> : null}
      </footer>
    </section>
  );
}

export function Badge({ s }: { s?: Supporter }) {
  return s ? (
    <span class="badge" title={`supported with ${(s.amount / 100).toFixed(2)} ${s.currency.toUpperCase()}`} data-testid="supporter-badge">
      ★ supporter
    </span>
  ) : null;
}

export function Attendees({ state, children }: { state: SessionState; children?: (m: { id: string; name: string }) => preact.ComponentChildren }) {
  const attendees = state.members.filter((m) => m.role === 'attendee');
  return (
    <section class="panel">
      <h2>Attendees ({attendees.length})</h2>
      <ul class="people" data-testid="attendees">
        {attendees.map((m) => (
          <li key={m.id} data-attendee={m.id}>
            <span class="name">{m.name}</span> <Badge s={state.supporters[m.id]} />
            {children?.(m)}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The Q&A list, in the room's order; `actions` adds the buttons of a row (vote, or moderation). */
export function Questions({
  state,
  archived,
  actions,
}: {
  state: SessionState;
  archived?: boolean;
  actions: (id: string, q: Question) => preact.ComponentChildren;
}) {
  const list = orderedQuestions(state.qa, { archived });
  if (list.length === 0) return <p class="empty">{archived ? 'Nothing archived.' : 'No questions yet.'}</p>;
  return (
    <ol class="questions" data-testid={archived ? 'archived-questions' : 'questions'}>
      {list.map(([id, q]) => (
        <li key={id} data-question={id} class={[q.pinned && 'pinned', q.answered && 'answered'].filter(Boolean).join(' ')}>
          <span class="votes" data-testid="votes">
            {q.votes}
          </span>
          <div class="q">
            <span class="text">{q.text}</span>
            <small>
              {q.author} <Badge s={state.supporters[q.author_id]} />
              {q.pinned ? <em class="tag">pinned</em> : null}
              {q.answered ? <em class="tag">answered</em> : null}
            </small>
          </div>
          <div class="actions">{actions(id, q)}</div>
        </li>
      ))}
    </ol>
  );
}

export function PollResults({ poll, onAnswer, mine }: { poll: Poll; onAnswer?: (i: number) => void; mine?: string }) {
  const total = poll.options.reduce((n, o) => n + o.votes, 0);
  const answered = mine !== undefined && poll.voters[mine] === 1;
  return (
    <div class="poll" data-testid="poll" data-poll={poll.id}>
      <h3>
        {poll.question} {poll.open ? null : <em class="tag">closed</em>}
      </h3>
      {poll.options.map((o, i) => (
        <div class="option" key={i} data-option={i}>
          {onAnswer ? (
            <button disabled={!poll.open || answered} onClick={() => onAnswer(i)}>
              {o.label}
            </button>
          ) : (
            <span class="label">{o.label}</span>
          )}
          <span class="bar-track">
            <span class="bar-fill" style={{ width: `${total ? (100 * o.votes) / total : 0}%` }} />
          </span>
          <span class="n" data-testid="option-votes">
            {o.votes}
          </span>
        </div>
      ))}
      <small data-testid="poll-total">{total} answers</small>
    </div>
  );
}

/** A video element showing `stream`. */
export function Video({ stream, muted }: { stream?: MediaStream; muted?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== (stream ?? null)) ref.current.srcObject = stream ?? null;
  }, [stream]);
  return <video ref={ref} autoplay playsInline muted={muted} data-testid="remote-video" />;
}

/** One call: its state, its chat over the data channel. */
export function CallPanel({ call, live, showVideo }: { call: CallView; live: LiveSession; showVideo: boolean }) {
  const [text, setText] = useState('');
  return (
    <div class="call" data-call={call.peer} data-state={call.state}>
      <div class="call-head">
        <strong>{call.name}</strong> <span class={`tag call-${call.state}`}>{call.state}</span>
        {call.attempt > 1 ? <small> attempt {call.attempt}</small> : null}
        <button onClick={() => live.calls.hangUp(call.peer)}>Hang up</button>
      </div>
      {showVideo ? <Video stream={call.stream} muted /> : null}
      <ul class="chat" data-testid="chat">
        {call.messages.map((m, i) => (
          <li key={i}>
            <b>{m.from}:</b> {m.text}
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text && live.calls.say(call.peer, text)) setText('');
        }}
      >
        <input value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="message over the data channel" aria-label="chat message" />
        <button disabled={call.state !== 'connected'}>Send</button>
      </form>
    </div>
  );
}

// The shapes of the session's documents and events (as the contract in ../../contracts/live-session.yaml declares
// them), the names they live under, and the pure functions the views use: no SDK, no DOM.

/** `doc:live/{session}/stage`: what everyone sees. */
export interface Stage {
  slide: number;
  sharing: boolean;
}

/** One question of the Q&A. */
export interface Question {
  text: string;
  author: string;
  author_id: string;
  votes: number;
  /** attendee id → 1 once that attendee voted for it (the contract refuses more). */
  voters: Record<string, number>;
  pinned: boolean;
  answered: boolean;
  archived: boolean;
  ts: number;
}

/** `doc:live/{session}/qa`. */
export interface Qa {
  questions: Record<string, Question>;
}

/** `doc:live/{session}/poll`. */
export interface Poll {
  id: string;
  question: string;
  options: { label: string; votes: number }[];
  open: boolean;
  voters: Record<string, number>;
}

/** Who a page is: its id (stable across reloads), the name shown, and its role. */
export interface Me {
  id: string;
  name: string;
  role: 'presenter' | 'attendee';
}

/** An attendee who paid (from a `checkout.session.completed` event of `live.payments`). */
export interface Supporter {
  id: string;
  name: string;
  amount: number;
  currency: string;
}

/** A Stripe-format `checkout.session.completed` event, as the provider sends it and the hub publishes it. */
export interface CheckoutCompleted {
  id: string;
  type: 'checkout.session.completed';
  created: number;
  data: { object: { amount_total: number; currency: string; metadata: { session: string; attendee_id: string; attendee_name: string } } };
}

/** The documents and channels of session `s`. */
export function names(s: string) {
  return {
    stage: `live/${s}/stage`,
    qa: `live/${s}/qa`,
    poll: `live/${s}/poll`,
    room: `live.${s}.room`,
    inbox: (peer: string) => `live.${s}.rtc.${peer}`,
    payments: 'live.payments',
    notifications: 'live.notifications',
  };
}

/** How long one attempt of a WebRTC call may take to open its data channel before it is tried again. */
export const ATTEMPT_MS = 4000;
/** Attempts of one call before it is given up. */
export const MAX_ATTEMPTS = 4;

/** The id the presenter's page signals under. */
export const PRESENTER_ID = 'presenter';

export const EMPTY_STAGE: Stage = { slide: 0, sharing: false };
export const EMPTY_QA: Qa = { questions: {} };
export const FIRST_POLL: Poll = {
  id: 'p1',
  question: 'How do you sync state today?',
  options: [{ label: 'Polling' }, { label: 'WebSockets by hand' }, { label: 'A hosted service' }].map((o) => ({ ...o, votes: 0 })),
  open: true,
  voters: {},
};

/** The questions in the order the room sees them: pinned first, then by votes, then oldest first; archived left out. */
export function orderedQuestions(qa: Qa | undefined, opts: { archived?: boolean } = {}): [string, Question][] {
  const all = Object.entries(qa?.questions ?? {}).filter(([, q]) => (opts.archived ? q.archived : !q.archived));
  return all.sort(([ai, a], [bi, b]) => {
    if (a.answered !== b.answered) return a.answered ? 1 : -1;
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    if (a.votes !== b.votes) return b.votes - a.votes;
    return a.ts - b.ts || ai.localeCompare(bi);
  });
}

/**
 * The update of one vote of `voter` for question `id`: two commutative `inc`s (the count, the voter's mark), so that
 * concurrent votes never lose one, and the contract (mark at most 1) refuses a second vote of the same voter.
 */
export function voteOps(id: string, voter: string): { op: 'inc'; path: string; value: number }[] {
  return [
    { op: 'inc', path: `/questions/${id}/votes`, value: 1 },
    { op: 'inc', path: `/questions/${id}/voters/${voter}`, value: 1 },
  ];
}

/** A fresh id of 10 lowercase letters and digits (ids of attendees, questions, calls). */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

/**
 * What to tell the user when the hub refused a change: the contract's rule in words where the example knows it,
 * else the hub's own message (which already says what to change).
 */
export function refusalText(err: unknown): string {
  const e = err as { code?: string; message?: string; details?: unknown };
  if (e.code === 'CONTRACT_VIOLATION' && Array.isArray(e.details)) {
    const d = e.details[0] as { path?: string; rule?: string } | undefined;
    if (d?.rule === 'maximum' && /\/voters\//.test(d.path ?? '')) {
      return /^\/options/.test(d.path ?? '') || /poll/.test(e.message ?? '')
        ? 'You have already answered this poll: one answer per attendee.'
        : 'You have already voted for this question: one vote per attendee.';
    }
    if (d?.rule === 'minLength' && /\/text$/.test(d.path ?? '')) return 'A question needs at least 3 characters.';
    if (d?.rule === 'maxLength' && /\/text$/.test(d.path ?? '')) return 'A question may have at most 280 characters.';
  }
  return `${e.code ?? 'Error'}: ${e.message ?? String(err)}`;
}

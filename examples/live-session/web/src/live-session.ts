// Everything a page of the session holds, wired to the hub with the unchanged client SDK: three shared documents
// (stage, Q&A, poll), presence on the room channel, the payments channel read from its start, and the WebRTC calls
// (rtc.ts). Views read `state` and call the actions; every change of state is pushed to the listeners.
import { connect, type ConnectionState, type DocOp, type PresenceMember, type SharedDocument, type SwitchboardClient } from '@switchboard/client';
import {
  EMPTY_QA,
  EMPTY_STAGE,
  FIRST_POLL,
  names,
  newId,
  refusalText,
  type CheckoutCompleted,
  type Me,
  type Poll,
  type Qa,
  type Question,
  type Stage,
  type Supporter,
  voteOps,
} from './model';
import { Calls, type CallView } from './rtc';

/** What the views render. */
export interface SessionState {
  connection: ConnectionState;
  stage: Stage;
  qa: Qa;
  poll: Poll;
  /** Who is in the room, one entry per person (a reloading page may briefly hold two connections). */
  members: { id: string; name: string; role: string }[];
  supporters: Record<string, Supporter>;
  /** The last refusal or failure, for the banner. */
  notice?: { text: string; at: number };
  calls: CallView[];
  /** Set on an attendee's page while the presenter shares a screen with it. */
  screenShared: boolean;
}

export interface OpenOptions {
  /** `ws://host:port/v1/ws` */
  hubUrl: string;
  session: string;
  me: Me;
}

/** A page's live session. */
export class LiveSession {
  state: SessionState;
  readonly calls: Calls;
  private readonly listeners = new Set<(s: SessionState) => void>();
  private readonly n: ReturnType<typeof names>;

  private constructor(
    readonly client: SwitchboardClient,
    readonly me: Me,
    readonly session: string,
    private readonly stage: SharedDocument<Stage>,
    private readonly qa: SharedDocument<Qa>,
    private readonly poll: SharedDocument<Poll>,
  ) {
    this.n = names(session);
    this.state = {
      connection: client.state,
      stage: stage.value ?? EMPTY_STAGE,
      qa: qa.value ?? EMPTY_QA,
      poll: poll.value ?? FIRST_POLL,
      members: [],
      supporters: {},
      calls: [],
      screenShared: false,
    };
    this.calls = new Calls(client, session, me, (calls, screenShared) => this.set({ calls, screenShared }));
  }

  /** Connects, opens the documents (creating them when the session is new) and joins the room. */
  static async open(o: OpenOptions): Promise<LiveSession> {
    const client = await connect({ url: o.hubUrl, component: o.me.role === 'presenter' ? 'live-presenter' : 'live-attendee' });
    const n = names(o.session);
    const [stage, qa, poll] = await Promise.all([client.doc<Stage>(n.stage), client.doc<Qa>(n.qa), client.doc<Poll>(n.poll)]);
    const live = new LiveSession(client, o.me, o.session, stage, qa, poll);
    await live.start();
    return live;
  }

  private async start(): Promise<void> {
    const { client } = this;
    client.on('state', (connection) => this.set({ connection }));
    this.stage.on('change', (c) => this.set({ stage: c.value ?? EMPTY_STAGE }));
    this.qa.on('change', (c) => this.set({ qa: c.value ?? EMPTY_QA }));
    this.poll.on('change', (c) => this.set({ poll: c.value ?? FIRST_POLL }));
    // A session nobody opened yet: its first page writes the empty documents, once (a second page racing it gets
    // CONFLICT on version 0 and simply follows the first one's value).
    await Promise.all([this.create(this.stage, EMPTY_STAGE), this.create(this.qa, EMPTY_QA), this.create(this.poll, FIRST_POLL)]);

    const room = await client.presence(this.n.room, { id: this.me.id, name: this.me.name, role: this.me.role });
    const members = () => this.set({ members: people(room.members) });
    room.on('join', members);
    room.on('leave', members);
    members();

    // Payments are durable: reading the channel from its start gives a late joiner every supporter so far.
    await client.subscribe<CheckoutCompleted>(this.n.payments, {
      from: 0,
      ack: 'auto',
      onMessage: (m) => {
        const o = m.data.data.object;
        if (o.metadata.session !== this.session) return;
        const s: Supporter = { id: o.metadata.attendee_id, name: o.metadata.attendee_name, amount: o.amount_total, currency: o.currency };
        this.set({ supporters: { ...this.state.supporters, [s.id]: s } });
      },
    });
    await this.calls.start();
    this.set({ connection: client.state });
  }

  private async create<T>(doc: SharedDocument<T>, value: T): Promise<void> {
    if (doc.version > 0) return;
    await doc.update([{ op: 'add', path: '', value }], { ifVersion: 0 }).catch((err: { code?: string }) => {
      if (err.code !== 'CONFLICT') throw err;
    });
  }

  /** Listen to every change of `state`; returns the remover. */
  subscribe(fn: (s: SessionState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Runs an update; a refusal is shown in the banner (the SDK has already rolled the change back). */
  private async run(p: Promise<unknown>): Promise<boolean> {
    try {
      await p;
      return true;
    } catch (err) {
      this.set({ notice: { text: refusalText(err), at: Date.now() } });
      return false;
    }
  }

  dismissNotice(): void {
    this.set({ notice: undefined });
  }

  // --- the presenter's actions ---

  /** Shows slide `slide` on every page. */
  goTo(slide: number): Promise<boolean> {
    return this.run(this.stage.update([{ op: 'replace', path: '/slide', value: slide }]));
  }

  /** Moderation: pin (or unpin), mark answered, archive. Marking answered also notifies (webhook `notify`). */
  async moderate(id: string, action: 'pin' | 'unpin' | 'answered' | 'archive' | 'restore'): Promise<boolean> {
    const path = `/questions/${id}`;
    const ops: DocOp[] = [];
    if (action === 'pin' || action === 'unpin') ops.push({ op: 'replace', path: `${path}/pinned`, value: action === 'pin' });
    if (action === 'answered') ops.push({ op: 'replace', path: `${path}/answered`, value: true }, { op: 'replace', path: `${path}/pinned`, value: false });
    if (action === 'archive' || action === 'restore') ops.push({ op: 'replace', path: `${path}/archived`, value: action === 'archive' });
    const ok = await this.run(this.qa.update(ops));
    const q = this.qa.value.questions[id];
    if (ok && action === 'answered' && q) {
      await this.run(
        this.client.publish(this.n.notifications, 'question.answered', {
          session: this.session,
          question_id: id,
          text: q.text,
          author: q.author,
          votes: q.votes,
        }),
      );
    }
    return ok;
  }

  /** Replaces the poll with a new, open one. */
  newPoll(question: string, labels: string[]): Promise<boolean> {
    const poll: Poll = { id: newId(), question, options: labels.map((label) => ({ label, votes: 0 })), open: true, voters: {} };
    return this.run(this.poll.update([{ op: 'replace', path: '', value: poll }]));
  }

  /** Opens or closes the poll. */
  setPollOpen(open: boolean): Promise<boolean> {
    return this.run(this.poll.update([{ op: 'replace', path: '/open', value: open }]));
  }

  /** Starts or stops sharing the screen: the stage says so to everyone, and each call gets the signalling event. */
  async setSharing(sharing: boolean): Promise<boolean> {
    await this.calls.setScreenShare(sharing);
    return this.run(this.stage.update([{ op: 'replace', path: '/sharing', value: sharing }]));
  }

  // --- the attendee's actions ---

  /** Asks a question. The contract checks its length; a refusal is shown. */
  ask(text: string): Promise<boolean> {
    const q: Question = {
      text,
      author: this.me.name,
      author_id: this.me.id,
      votes: 0,
      voters: {},
      pinned: false,
      answered: false,
      archived: false,
      ts: Date.now(),
    };
    return this.run(this.qa.update([{ op: 'add', path: `/questions/${newId()}`, value: q }]));
  }

  /**
   * Votes for question `id`: the count goes up on screen at once. Both operations are `inc`, so concurrent votes of
   * the whole room never lose one; the voter's mark may not pass 1 (the contract), so a second vote is refused and
   * rolled back, and the banner says why.
   */
  vote(id: string): Promise<boolean> {
    return this.run(this.qa.update(voteOps(id, this.me.id)));
  }

  /** Answers the poll with option `index` (once: the contract refuses a second answer). */
  answerPoll(index: number): Promise<boolean> {
    return this.run(
      this.poll.update([
        { op: 'inc', path: `/options/${index}/votes`, value: 1 },
        { op: 'inc', path: `/voters/${this.me.id}`, value: 1 },
      ]),
    );
  }

  async close(): Promise<void> {
    this.calls.close();
    await this.client.close();
  }
}

/** One entry per person (by `info.id`), in order of arrival. */
function people(members: PresenceMember[]): SessionState['members'] {
  const seen = new Map<string, { id: string; name: string; role: string }>();
  for (const m of members) {
    const id = String(m.info.id ?? m.session);
    if (!seen.has(id)) seen.set(id, { id, name: String(m.info.name ?? '?'), role: String(m.info.role ?? 'attendee') });
  }
  return [...seen.values()];
}

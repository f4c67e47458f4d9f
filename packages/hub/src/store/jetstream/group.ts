import { createInbox, nanos, type Msg, type Subscription } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { GroupCursor, GroupDelivery, GroupOptions } from '../store.js';
import type { TrackedConnection } from './connection.js';
import { withSeq } from './envelope.js';
import type { JsRequests } from './requests.js';

/** What a group needs from the store that owns it. */
export interface JsGroupHost {
  conn: TrackedConnection;
  /** Sends acks, nacks and terms and waits for the server's confirmation. */
  requests: JsRequests;
  jsm: JetStreamManager;
  timeoutMs: number;
  /** Throws `UNAVAILABLE` once the store is closed or NATS is not connected. */
  check(action: string): void;
  warn(message: string, err: unknown): void;
}

/** A delivery this node handed out and not yet acked, nacked or termed. */
interface Held {
  /** The `$JS.ACK…` subject of the delivery. */
  reply: string;
  /** End of the ack wait. */
  deadline: number;
}

/** Extra time after an ack wait or nack delay before `onReady`, so the server has made the seq due. */
const READY_MARGIN_MS = 30;
/** Deliveries asked for by one waiting pull request (see {@link JsGroup.demand}). */
const PULL_BATCH = 16;
/** Waiting pull requests one node keeps open per group. */
const MAX_PULLS = 2;
/** How long a waiting pull request stays open on the server before it is renewed. */
const PULL_EXPIRES_MS = 20_000;
/** The server's ack floor is read at most this often (an ack never waits for it more often). */
const FLOOR_REFRESH_MS = 1000;
/** `onReady` also fires this often, for redeliveries of seqs another node held. */
const READY_POLL_MS = 1000;

/** A waiting pull request of this node: the server hands it up to `remaining` deliveries as they become due. */
interface Pull {
  remaining: number;
  sub: Subscription;
}

/** A delivery a waiting pull request brought in, not yet handed out by `fetch`. */
interface Buffered extends Held {
  text: string;
  deliveries: number;
}

/**
 * One consumer group on one channel stream: a durable pull consumer shared by every hub node. The server
 * keeps the position, the in-flight set, ack waits, nack delays and delivery counts; this node keeps the
 * `$JS.ACK` subjects of what it fetched (acks go back through them) and a copy of the ack floor.
 *
 * Spread across nodes: `fetch` alone is a no-wait pull, so the node that asks first (usually the one where a
 * message was published) would take every new message. Once the hub states its members' free room through
 * `demand`, this node keeps up to {@link MAX_PULLS} waiting pull requests of at most {@link PULL_BATCH}
 * deliveries open on the server instead; the server hands each due message to the oldest waiting request
 * (older servers fill one request, newer ones go round the requests message by message), so the nodes with
 * room take turns. What arrives waits in a buffer for the next `fetch`, and `onReady` is called.
 */
export class JsGroup {
  private floor: number;
  /** True when every delivery the server holds in flight was fetched here, so local acks decide the floor. */
  private certain: boolean;
  private readonly done = new Set<number>();
  private readonly held = new Map<number, Held>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private poll: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastRefresh = 0;
  private trailing: NodeJS.Timeout | undefined;
  /** Highest stream seq the server delivered (as far as this node knows). */
  private delivered = 0;
  private readonly pulls = new Set<Pull>();
  private readonly buffered = new Map<number, Buffered>();
  private ackWaitMs = 30_000;
  private signalled = false;

  constructor(
    private readonly host: JsGroupHost,
    readonly ch: string,
    readonly group: string,
    readonly stream: string,
    readonly consumer: string,
    floor: number,
    ackPending: number,
  ) {
    this.floor = floor;
    this.certain = ackPending === 0;
    this.delivered = floor;
    // Waiting requests do not survive a reconnect (the server may have restarted): open them again.
    host.conn.onChange((up) => {
      this.cancelPulls();
      if (up) this.signal();
    });
  }

  handle(options: GroupOptions): GroupCursor {
    this.ackWaitMs = options.ackWaitMs;
    const listener = (): void => options.onReady?.();
    if (options.onReady) {
      this.listeners.add(listener);
      if (!this.poll) {
        this.poll = setInterval(() => this.fire(), READY_POLL_MS);
        this.poll.unref();
      }
    }
    return {
      ch: this.ch,
      group: this.group,
      fetch: (max) => this.fetch(max, options.ackWaitMs),
      ack: (seq) => this.settle(seq, '+ACK'),
      term: (seq) => this.settle(seq, '+TERM'),
      nack: (seq, delayMs) => this.nack(seq, delayMs),
      demand: (n) => this.demand(n),
      ackFloor: () => this.floor,
      inFlight: () => {
        const now = Date.now();
        let n = 0;
        for (const h of this.held.values()) if (h.deadline > now) n++;
        return n;
      },
      close: async () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stopTimers();
      },
    };
  }

  /** Hands every delivery held or buffered here back to the group at once (the store is closing). */
  async release(): Promise<void> {
    const held = [...this.held.values(), ...this.buffered.values()];
    this.held.clear();
    this.buffered.clear();
    this.stopTimers();
    await Promise.all(held.map((h) => this.host.requests.request(h.reply, '-NAK', 'hand a delivery back').catch(() => undefined)));
  }

  stopTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    if (this.trailing) clearTimeout(this.trailing);
    this.timer = undefined;
    this.poll = undefined;
    this.trailing = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.cancelPulls();
    // Nobody here takes the buffered deliveries any more: hand them back (due at once).
    for (const b of this.buffered.values()) {
      try {
        this.host.conn.nc.publish(b.reply, '-NAK');
      } catch {
        /* closed: the ack wait hands it out again */
      }
    }
    this.buffered.clear();
  }

  private async fetch(max: number, ackWaitMs: number): Promise<GroupDelivery[]> {
    this.host.check('fetch group deliveries');
    if (!(max > 0)) return [];
    max = Math.floor(max);
    const now = Date.now();
    const out: GroupDelivery[] = [];
    if (this.buffered.size > 0) {
      for (const seq of [...this.buffered.keys()].sort((a, b) => a - b)) {
        const b = this.buffered.get(seq)!;
        this.buffered.delete(seq);
        // Past its ack wait the server hands it out again: this copy is stale.
        if (b.deadline <= now) continue;
        this.held.set(seq, { reply: b.reply, deadline: b.deadline });
        out.push({ message: { ch: this.ch, seq, json: withSeq(b.text, seq) }, deliveries: b.deliveries });
        if (out.length >= max) break;
      }
    }
    // With waiting requests open, the server hands what is due to them; a no-wait pull would only race them.
    if (out.length < max && this.pulls.size === 0) {
      for (const m of await this.pull(max - out.length)) {
        const info = parseAckSubject(m.reply ?? '');
        if (!info) continue;
        this.held.set(info.seq, { reply: m.reply!, deadline: now + ackWaitMs });
        if (info.seq > this.delivered) this.delivered = info.seq;
        out.push({ message: { ch: this.ch, seq: info.seq, json: withSeq(m.string(), info.seq) }, deliveries: info.deliveries });
      }
    }
    if (out.length > 0) this.arm(Math.min(...out.map((d) => this.held.get(d.message.seq)?.deadline ?? now + ackWaitMs)));
    return out;
  }

  /**
   * This node's members could take `n` more deliveries: keeps waiting pull requests open for up to that many
   * (at most {@link MAX_PULLS} × {@link PULL_BATCH}, minus what is buffered), so the server shares new and
   * due messages among the nodes that have room.
   */
  private demand(n: number): void {
    if (this.listeners.size === 0 || !this.host.conn.connected()) return;
    const want = Math.min(Math.floor(n), MAX_PULLS * PULL_BATCH) - this.buffered.size;
    let open = 0;
    for (const p of this.pulls) open += p.remaining;
    while (open < want && this.pulls.size < MAX_PULLS) {
      const batch = Math.min(PULL_BATCH, want - open);
      if (!this.openPull(batch)) return;
      open += batch;
    }
  }

  private openPull(batch: number): boolean {
    const { nc } = this.host.conn;
    const inbox = createInbox();
    const pull: Pull = {
      remaining: batch,
      sub: nc.subscribe(inbox, {
        callback: (err, m) => {
          if (err) return this.endPull(pull);
          const code = m.headers?.code ?? 0;
          if (code !== 0 || m.data.length === 0) {
            // 100: heartbeat; anything else (408 expired, 409 limits, 404) ends the request.
            if (code !== 100) this.endPull(pull);
            return;
          }
          const info = parseAckSubject(m.reply ?? '');
          if (info && this.pulls.has(pull)) {
            this.buffered.set(info.seq, { reply: m.reply!, text: m.string(), deliveries: info.deliveries, deadline: Date.now() + this.ackWaitMs });
            if (info.seq > this.delivered) this.delivered = info.seq;
          } else if (info) nc.publish(m.reply!, '-NAK');
          pull.remaining -= 1;
          if (pull.remaining <= 0) this.endPull(pull);
          this.signal();
        },
      }),
    };
    this.pulls.add(pull);
    try {
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`, JSON.stringify({ batch, expires: nanos(PULL_EXPIRES_MS) }), { reply: inbox });
      return true;
    } catch (err) {
      this.host.warn('could not open a waiting pull request', err);
      this.endPull(pull);
      return false;
    }
  }

  /** Ends a waiting request; when it ended early (expired, refused), the hub is asked to fetch again. */
  private endPull(pull: Pull): void {
    if (!this.pulls.delete(pull)) return;
    pull.sub.unsubscribe();
    if (pull.remaining > 0) this.signal();
  }

  private cancelPulls(): void {
    for (const p of this.pulls) p.sub.unsubscribe();
    this.pulls.clear();
  }

  /** Calls `onReady` once for everything that arrived in this turn of the event loop. */
  private signal(): void {
    if (this.signalled || this.listeners.size === 0) return;
    this.signalled = true;
    setImmediate(() => {
      this.signalled = false;
      this.fire();
    });
  }

  /** One no-wait pull request: what is due now, at most `max`. */
  private pull(max: number): Promise<Msg[]> {
    const { nc } = this.host.conn;
    const inbox = createInbox();
    const out: Msg[] = [];
    return new Promise<Msg[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(this.host.conn.unavailable('fetch group deliveries', new Error('pull request timed out')));
      }, this.host.timeoutMs);
      const finish = (err?: unknown): void => {
        clearTimeout(timer);
        sub.unsubscribe();
        if (err) reject(err);
        else resolve(out);
      };
      const sub = nc.subscribe(inbox, {
        callback: (err, m) => {
          if (err) return finish(this.host.conn.unavailable('fetch group deliveries', err));
          const code = m.headers?.code ?? 0;
          if (code !== 0 || m.data.length === 0) {
            if (code === 503) return finish(this.host.conn.unavailable('fetch group deliveries', new Error('JetStream did not answer (503 no responders)')));
            return finish();
          }
          out.push(m);
          if (out.length >= max) finish();
        },
      });
      try {
        nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`, JSON.stringify({ batch: max, no_wait: true }), { reply: inbox });
      } catch (err) {
        finish(this.host.conn.unavailable('fetch group deliveries', err));
      }
    });
  }

  /** Acks or terms `seq` (either moves the floor past it); unknown seqs are ignored. */
  private async settle(seq: number, payload: '+ACK' | '+TERM'): Promise<void> {
    this.host.check(payload === '+ACK' ? 'acknowledge' : 'end a delivery');
    const h = this.held.get(seq);
    if (!h) return;
    await this.host.requests.request(h.reply, payload, payload === '+ACK' ? `acknowledge seq ${seq}` : `end seq ${seq}`);
    if (this.held.get(seq) === h) this.held.delete(seq);
    if (seq <= this.floor) return;
    this.done.add(seq);
    this.advance();
    if (this.floorKnown()) return;
    // Another node may hold or have acked the seq after the floor: ask the server, at most once a second
    // (the first ack after a quiet second waits for the answer; later ones leave it to a trailing read).
    if (Date.now() - this.lastRefresh >= FLOOR_REFRESH_MS) await this.refresh();
    else this.refreshLater();
  }

  /** True when the local floor is the group's: the next seq is held here, or nothing after it was delivered. */
  private floorKnown(): boolean {
    const next = this.floor + 1;
    if (this.held.has(next) || this.buffered.has(next)) return true;
    return this.certain && this.done.size === 0 && next > this.delivered;
  }

  private refreshLater(): void {
    if (this.trailing) return;
    this.trailing = setTimeout(
      () => {
        this.trailing = undefined;
        void this.refresh();
      },
      Math.max(0, this.lastRefresh + FLOOR_REFRESH_MS - Date.now()),
    );
    this.trailing.unref();
  }

  private async nack(seq: number, delayMs: number): Promise<void> {
    this.host.check('hand a delivery back');
    const h = this.held.get(seq);
    if (!h) return;
    this.held.delete(seq);
    const delay = Math.max(0, Math.floor(delayMs));
    const payload = delay > 0 ? `-NAK ${JSON.stringify({ delay: nanos(delay) })}` : '-NAK';
    await this.host.requests.request(h.reply, payload, `hand seq ${seq} back`);
    this.arm(Date.now() + delay);
  }

  private advance(): void {
    while (this.done.has(this.floor + 1)) {
      this.done.delete(this.floor + 1);
      this.floor += 1;
    }
    for (const seq of this.done) if (seq <= this.floor) this.done.delete(seq);
  }

  /** Reads the ack floor from the server (one request at a time; callers arriving meanwhile share the next one). */
  private refresh(): Promise<void> {
    if (this.queued) return this.queued;
    const previous = this.refreshing ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        this.queued = undefined;
        this.refreshing = next;
        this.lastRefresh = Date.now();
        try {
          const info = await this.host.jsm.consumers.info(this.stream, this.consumer);
          this.floor = Math.max(this.floor, info.ack_floor.stream_seq);
          this.delivered = Math.max(this.delivered, info.delivered.stream_seq);
          this.certain = info.num_ack_pending <= this.held.size;
          this.advance();
        } catch (err) {
          this.host.warn('could not read the ack floor of a group', err);
        } finally {
          if (this.refreshing === next) this.refreshing = undefined;
        }
      });
    this.queued = next;
    return next;
  }

  /** Schedules an `onReady` call for when something becomes due at `at`. */
  private arm(at: number): void {
    if (this.listeners.size === 0) return;
    const when = at + READY_MARGIN_MS;
    if (when >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.fire();
        const now = Date.now();
        let next = Number.POSITIVE_INFINITY;
        for (const h of this.held.values()) if (h.deadline > now && h.deadline < next) next = h.deadline;
        if (next !== Number.POSITIVE_INFINITY) this.arm(next);
      },
      Math.max(0, when - Date.now()),
    );
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    // A late ack of an expired delivery still reaches the server; entries are dropped a minute later.
    for (const [seq, h] of this.held) if (h.deadline < now - 60_000) this.held.delete(seq);
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        this.host.warn('a group onReady callback threw', err);
      }
    }
  }
}

/** Stream seq and delivery count from a `$JS.ACK.<stream>.<consumer>.<deliveries>.<sseq>.<dseq>.<ts>.<pending>` subject. */
export function parseAckSubject(reply: string): { seq: number; deliveries: number } | undefined {
  const t = reply.split('.');
  if (t[0] !== '$JS' || t[1] !== 'ACK') return undefined;
  // Newer servers insert <domain>.<account hash> after ACK (11+ tokens); older ones send 9.
  const base = t.length >= 11 ? 4 : 2;
  const deliveries = Number(t[base + 2]);
  const seq = Number(t[base + 3]);
  return Number.isInteger(seq) && seq > 0 ? { seq, deliveries: deliveries > 0 ? deliveries : 1 } : undefined;
}

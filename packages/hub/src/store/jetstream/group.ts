import { createInbox, nanos, type Msg } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { GroupCursor, GroupDelivery, GroupOptions } from '../store.js';
import type { TrackedConnection } from './connection.js';
import { withSeq } from './envelope.js';

/** What a group needs from the store that owns it. */
export interface JsGroupHost {
  conn: TrackedConnection;
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
/** `onReady` also fires this often, for redeliveries of seqs another node held. */
const READY_POLL_MS = 1000;

/**
 * One consumer group on one channel stream: a durable pull consumer shared by every hub node. The server
 * keeps the position, the in-flight set, ack waits, nack delays and delivery counts; this node keeps the
 * `$JS.ACK` subjects of what it fetched (acks go back through them) and a copy of the ack floor.
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
  }

  handle(options: GroupOptions): GroupCursor {
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

  /** Hands every delivery held here back to the group at once (the store is closing). */
  async release(): Promise<void> {
    this.stopTimers();
    const held = [...this.held.values()];
    this.held.clear();
    await Promise.all(held.map((h) => this.host.conn.nc.request(h.reply, '-NAK', { timeout: this.host.timeoutMs }).catch(() => undefined)));
  }

  stopTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.timer = undefined;
    this.poll = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private async fetch(max: number, ackWaitMs: number): Promise<GroupDelivery[]> {
    this.host.check('fetch group deliveries');
    if (!(max > 0)) return [];
    const msgs = await this.pull(Math.floor(max));
    const now = Date.now();
    const out: GroupDelivery[] = [];
    for (const m of msgs) {
      const info = parseAckSubject(m.reply ?? '');
      if (!info) continue;
      this.held.set(info.seq, { reply: m.reply!, deadline: now + ackWaitMs });
      out.push({ message: { ch: this.ch, seq: info.seq, json: withSeq(m.string(), info.seq) }, deliveries: info.deliveries });
    }
    if (out.length > 0) this.arm(now + ackWaitMs);
    return out;
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
    try {
      await this.host.conn.nc.request(h.reply, payload, { timeout: this.host.timeoutMs });
    } catch (err) {
      throw this.host.conn.unavailable(payload === '+ACK' ? `acknowledge seq ${seq}` : `end seq ${seq}`, err);
    }
    if (this.held.get(seq) === h) this.held.delete(seq);
    if (seq <= this.floor) return;
    this.done.add(seq);
    this.advance();
    if (!this.certain || this.done.size > 0) await this.refresh();
  }

  private async nack(seq: number, delayMs: number): Promise<void> {
    this.host.check('hand a delivery back');
    const h = this.held.get(seq);
    if (!h) return;
    this.held.delete(seq);
    const delay = Math.max(0, Math.floor(delayMs));
    const payload = delay > 0 ? `-NAK ${JSON.stringify({ delay: nanos(delay) })}` : '-NAK';
    try {
      await this.host.conn.nc.request(h.reply, payload, { timeout: this.host.timeoutMs });
    } catch (err) {
      throw this.host.conn.unavailable(`hand seq ${seq} back`, err);
    }
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
        try {
          const info = await this.host.jsm.consumers.info(this.stream, this.consumer);
          this.floor = Math.max(this.floor, info.ack_floor.stream_seq);
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
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.fire();
      const now = Date.now();
      let next = Number.POSITIVE_INFINITY;
      for (const h of this.held.values()) if (h.deadline > now && h.deadline < next) next = h.deadline;
      if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    }, Math.max(0, when - Date.now()));
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

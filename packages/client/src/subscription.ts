import { SwitchboardError, isPattern, type AckMode, type ClientFrame, type Envelope, type From, type MsgFrame, type SubFrame } from '@switchboard/protocol';
import type { Message, SubscribeOptions, Subscription } from './types.js';

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  /** Sends a frame on the current socket; false when there is none. */
  send(frame: ClientFrame): boolean;
  /** Sends `unsub` and waits for the reply. */
  unsubscribe(hubId: string): Promise<void>;
  /** Forgets the subscription (no resubscribe on reconnect). */
  forget(sub: SubscriptionImpl<unknown>): void;
  emitError(err: Error): void;
  /** Buffer bound when the subscription names none: the hub's `max_inflight`. */
  defaultBound(): number;
  /** Stops the hub subscription (`unsub`) while the buffer is full; `resume` subscribes again from the cursor. */
  pause(sub: SubscriptionImpl<unknown>, hubId: string): void;
  resume(sub: SubscriptionImpl<unknown>): void;
}

/**
 * Per-channel progress of a non-group subscription.
 * `seen` is the highest seq received; `outstanding` the seqs received and not yet finished (buffered, or with the
 * application awaiting ack); `nacked` the seqs handed back for redelivery.
 */
class Cursor {
  seen: number;
  readonly outstanding = new Set<number>();
  readonly nacked = new Set<number>();
  constructor(seen: number) {
    this.seen = seen;
  }

  /** Last seq below which everything is finished: where a resumed subscription starts. */
  processed(): number {
    let low = Infinity;
    for (const s of this.outstanding) if (s < low) low = s;
    for (const s of this.nacked) if (s < low) low = s;
    return low === Infinity ? this.seen : low - 1;
  }
}

interface Waiter<D> {
  resolve(r: IteratorResult<Message<D>>): void;
  reject(err: unknown): void;
}

/** What other parts of the SDK add to a subscription they make (a presence membership). */
export interface SubscriptionInternals {
  /** Ask for `join`/`leave` frames of the channel. */
  presence?: boolean;
  /** The `info` others see in presence. */
  info?: Record<string, unknown>;
  /** Called each time the subscription is attached to a socket. */
  onAttach?: () => void;
  /** Take the subscription back from a resumed session even with `ack: 'auto'` (its messages do not matter). */
  trustHub?: boolean;
}

/** A subscription; survives reconnects (its hub id changes). */
export class SubscriptionImpl<D> implements Subscription<D> {
  readonly ch: string;
  readonly group: string | undefined;
  readonly ackMode: AckMode;
  readonly maxInflight: number | undefined;
  private readonly from: From;
  private readonly onMessage: ((m: Message<D>) => void | Promise<void>) | undefined;
  private readonly host: SubscriptionHost;
  private readonly pattern: boolean;
  private readonly cursors = new Map<string, Cursor>();
  /** Group subscriptions: `ch\u0000seq` of messages received and not finished. */
  private readonly groupOutstanding = new Set<string>();
  private readonly buffer: MessageImpl<D>[] = [];
  private waiter: Waiter<D> | undefined;
  private pumping = false;
  private hubId: string | undefined;
  private previousHubId: string | undefined;
  private ended = false;
  private endError: Error | undefined;
  private iterating = false;
  /** An auto-ack subscription whose buffer overflowed: unsubscribed until the buffer drains to half. */
  private paused = false;

  constructor(
    ch: string,
    options: SubscribeOptions<D>,
    host: SubscriptionHost,
    readonly internals: SubscriptionInternals = {},
  ) {
    this.ch = ch;
    this.group = options.group;
    this.onMessage = options.onMessage;
    this.ackMode = options.ack ?? (options.onMessage ? 'manual' : 'auto');
    this.maxInflight = options.maxInflight;
    this.from = options.from ?? 'latest';
    this.host = host;
    this.pattern = isPattern(ch);
    if (typeof this.from === 'number' && !this.pattern && this.group === undefined) this.cursors.set(ch, new Cursor(this.from));
  }

  get id(): string {
    return this.hubId ?? '';
  }
  get attachedId(): string | undefined {
    return this.hubId;
  }
  get isEnded(): boolean {
    return this.ended;
  }

  /** The `sub` frame to send now: first time with the given `from`, after a reconnect from the resume point. */
  subFrame(): SubFrame {
    const frame: SubFrame = { op: 'sub', ch: this.ch, from: this.resumeFrom(), ack: this.ackMode };
    if (this.group !== undefined) frame.group = this.group;
    if (this.maxInflight !== undefined) frame.max_inflight = this.maxInflight;
    if (this.internals.presence) frame.presence = true;
    if (this.internals.info !== undefined) frame.info = this.internals.info;
    return frame;
  }

  /**
   * Where a new `sub` starts. Manual: after the last finished seq, so that the hub tracks (and can redeliver)
   * every message the application has not acknowledged. Auto: after the last seq received, since what is
   * buffered stays buffered. A pattern takes the lowest over its channels (replays are dropped by seq).
   */
  private resumeFrom(): From {
    if (this.group !== undefined || this.cursors.size === 0) return this.from;
    let low = Infinity;
    for (const c of this.cursors.values()) low = Math.min(low, this.ackMode === 'auto' ? c.seen : c.processed());
    return low;
  }

  /** The hub accepted the `sub` (again): route its messages here. */
  attach(hubId: string, head: unknown): void {
    this.hubId = hubId;
    if (this.from === 'latest' && !this.pattern && this.group === undefined && !this.cursors.has(this.ch) && typeof head === 'number') {
      this.cursors.set(this.ch, new Cursor(head));
    }
    this.internals.onAttach?.();
  }

  /** The socket dropped. The hub id is remembered: a resumed session may give the subscription back under it. */
  detach(): void {
    this.paused = false; // the restore after the reconnect subscribes it again
    if (this.hubId !== undefined) this.previousHubId = this.hubId;
    this.hubId = undefined;
  }

  /** Hub id on the previous socket, if the subscription was attached there. */
  get formerId(): string | undefined {
    return this.previousHubId;
  }

  lastSeq(channel?: string): number {
    const initial = typeof this.from === 'number' ? this.from : 0;
    if (channel !== undefined || !this.pattern) return this.cursors.get(channel ?? this.ch)?.processed() ?? initial;
    if (this.cursors.size === 0) return initial;
    let low = Infinity;
    for (const c of this.cursors.values()) low = Math.min(low, c.processed());
    return low;
  }

  /** A `msg` frame for this subscription: keep it unless it is a duplicate of one received before. */
  deliver(frame: MsgFrame): void {
    if (this.ended) return;
    const env = frame.msg as Envelope<D>;
    const seq = env.seq;
    const ch = env.ch ?? this.ch;
    if (this.ackMode === 'auto' && this.group === undefined && this.buffer.length >= this.bound()) {
      // The hub does not wait for acks here, so nothing else would stop it: unsubscribe, drop what still
      // arrives, and subscribe again from the cursor once the application has caught up.
      if (!this.paused && this.hubId !== undefined) {
        this.paused = true;
        const hubId = this.hubId;
        this.hubId = undefined;
        this.previousHubId = undefined;
        this.host.pause(this as SubscriptionImpl<unknown>, hubId);
      }
      return;
    }
    const redelivered = typeof frame.redelivered === 'number' ? frame.redelivered : 0;
    if (this.group !== undefined) {
      const key = `${ch}\u0000${seq}`;
      if (this.groupOutstanding.has(key) && !this.isRedeliveryOfHeld(ch, seq, redelivered)) return;
      this.groupOutstanding.add(key);
    } else {
      let cursor = this.cursors.get(ch);
      if (!cursor) this.cursors.set(ch, (cursor = new Cursor(typeof this.from === 'number' ? this.from : seq - 1)));
      if (seq > cursor.seen) {
        cursor.seen = seq;
        cursor.outstanding.add(seq);
      } else if (cursor.nacked.delete(seq)) {
        cursor.outstanding.add(seq);
      } else if (cursor.outstanding.has(seq)) {
        // The application holds it. A replay after a reconnect is dropped; a redelivery (ack timeout) goes
        // through, as the protocol says, unless the first copy still waits in the buffer.
        if (!this.isRedeliveryOfHeld(ch, seq, redelivered)) return;
      } else {
        // Finished before (a replay after a reconnect): acknowledged again on the current subscription so
        // that the hub does not redeliver it.
        if (this.ackMode === 'manual' && this.hubId !== undefined) this.host.send({ op: 'ack', sub: this.hubId, seq, ch });
        return;
      }
    }
    const m = new MessageImpl<D>(this, env, ch, redelivered);
    this.buffer.push(m);
    if (this.onMessage) void this.pump();
    else this.wake();
  }

  private isRedeliveryOfHeld(ch: string, seq: number, redelivered: number): boolean {
    return redelivered > 0 && !this.buffer.some((m) => m.seq === seq && m.ch === ch);
  }

  private wake(): void {
    if (!this.waiter || this.buffer.length === 0) return;
    const w = this.waiter;
    this.waiter = undefined;
    const m = this.buffer.shift()!;
    this.handOut(m);
    w.resolve({ value: m, done: false });
  }

  private handOut(m: MessageImpl<D>): void {
    if (this.ackMode === 'auto' && !this.onMessage) this.finish(m, 'done');
    this.maybeUnpause();
  }

  private bound(): number {
    return this.maxInflight ?? this.host.defaultBound();
  }

  private maybeUnpause(): void {
    if (!this.paused || this.ended || this.buffer.length > this.bound() / 2) return;
    this.paused = false;
    this.host.resume(this as SubscriptionImpl<unknown>);
  }

  /** True while unsubscribed because the buffer overflowed. */
  get isPaused(): boolean {
    return this.paused;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.buffer.length > 0 && !this.ended) {
        const m = this.buffer.shift()!;
        this.maybeUnpause();
        try {
          await this.onMessage!(m);
          if (this.ackMode === 'manual') m.ack();
          else this.finish(m, 'done');
        } catch (err) {
          if (this.ackMode === 'manual') m.nack({ reason: err instanceof Error ? err.message : String(err) });
          else this.finish(m, 'done');
          const wrapped = new SwitchboardError(
            'INTERNAL',
            `onMessage of subscription to "${this.ch}" threw on ${m.ch} seq ${m.seq}: ${err instanceof Error ? err.message : String(err)}`,
            undefined,
            { cause: err },
          );
          this.host.emitError(wrapped);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Marks a message finished (`done`) or handed back (`nacked`); sends `ack`/`nack` when `frame` is given. */
  finish(m: MessageImpl<D>, how: 'done' | 'nacked', frame?: { delayMs?: number; reason?: string }): void {
    if (this.group !== undefined) {
      this.groupOutstanding.delete(`${m.ch}\u0000${m.seq}`);
    } else {
      const cursor = this.cursors.get(m.ch);
      if (cursor) {
        cursor.outstanding.delete(m.seq);
        if (how === 'nacked') cursor.nacked.add(m.seq);
      }
    }
    if (!frame || this.ackMode !== 'manual' || this.hubId === undefined || this.ended) return;
    if (how === 'done') this.host.send({ op: 'ack', sub: this.hubId, seq: m.seq, ch: m.ch });
    else {
      const nack: ClientFrame = { op: 'nack', sub: this.hubId, seq: m.seq, ch: m.ch };
      if (frame.delayMs !== undefined) nack.delay_ms = frame.delayMs;
      if (frame.reason !== undefined) nack.reason = frame.reason;
      this.host.send(nack);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Message<D>> {
    if (this.onMessage) throw new TypeError(`the subscription to "${this.ch}" delivers to its onMessage callback; subscribe without onMessage to iterate it`);
    if (this.iterating) throw new TypeError(`the subscription to "${this.ch}" is already being iterated; one consumer per subscription`);
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async () => {
        await this.unsubscribe();
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<Message<D>>> {
    if (this.buffer.length > 0 && !this.ended) {
      const m = this.buffer.shift()!;
      this.handOut(m);
      return Promise.resolve({ value: m, done: false });
    }
    if (this.ended) return this.endError ? Promise.reject(this.endError) : Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new TypeError('next() called again before the previous call resolved'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the subscription locally: the iteration finishes (or throws `err`), nothing more is delivered. */
  end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = err;
    this.buffer.length = 0;
    const w = this.waiter;
    this.waiter = undefined;
    if (!w) return;
    if (err) w.reject(err);
    else w.resolve({ value: undefined, done: true });
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    const hubId = this.hubId;
    this.end();
    this.host.forget(this as SubscriptionImpl<unknown>);
    if (hubId !== undefined) await this.host.unsubscribe(hubId);
  }
}

/** A delivered message bound to its subscription for `ack`/`nack`. */
export class MessageImpl<D> implements Message<D> {
  readonly envelope: Envelope<D>;
  readonly ch: string;
  readonly redelivered: number;
  private readonly sub: SubscriptionImpl<D>;
  private settled = false;

  constructor(sub: SubscriptionImpl<D>, envelope: Envelope<D>, ch: string, redelivered: number) {
    this.sub = sub;
    this.envelope = envelope;
    this.ch = ch;
    this.redelivered = redelivered;
  }

  get seq(): number {
    return this.envelope.seq;
  }
  get type(): string {
    return this.envelope.type;
  }
  get data(): D {
    return this.envelope.data;
  }

  ack(): void {
    if (this.settled || this.sub.ackMode !== 'manual') return;
    this.settled = true;
    this.sub.finish(this, 'done', {});
  }

  nack(opts: { delayMs?: number; reason?: string } = {}): void {
    if (this.settled || this.sub.ackMode !== 'manual') return;
    this.settled = true;
    this.sub.finish(this, 'nacked', opts);
  }
}

import { SwitchboardError, type FrameId, type PubFrame } from '@switchboard/protocol';
import { errorFromFrame } from './errors.js';
import type { Link } from './link.js';
import type { PublishOptions, PublishResult } from './types.js';

/** Pause before a publish refused with UNAVAILABLE is sent again on the same socket. */
const UNAVAILABLE_RETRY_MS = 500;

interface Entry {
  frame: PubFrame;
  ack: boolean;
  resolve(r: PublishResult): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  id: FrameId | undefined;
  done: boolean;
}

/** Settings of an {@link Outbox}. */
export interface OutboxOptions {
  /** Bound of the offline queue. */
  max: number;
  /** Time a publish may wait for its `ok`, queue time included. */
  timeoutMs: number;
  /** Makes a fresh `msg_id`. */
  newId(): string;
}

/**
 * Publishes: sent at once while connected, queued (bounded) while not. Sent publishes awaiting their `ok` go
 * back to the head of the queue when the socket drops, so a reconnect sends them again, in order, with the
 * same `msg_id` (the hub's dedupe makes each land once), before the publishes queued while offline.
 */
export class Outbox {
  private queue: Entry[] = [];
  private readonly inflight = new Map<FrameId, Entry>();

  constructor(
    private readonly link: Link,
    private readonly options: OutboxOptions,
  ) {}

  /** Publishes waiting for a socket. */
  get queued(): number {
    return this.queue.length;
  }
  /** Publishes sent and awaiting their `ok`. */
  get unacknowledged(): number {
    return this.inflight.size;
  }

  publish<D>(ch: string, type: string, data: D, options: PublishOptions = {}): Promise<PublishResult> {
    const msgId = options.msgId ?? this.options.newId();
    const frame: PubFrame = { op: 'pub', ch, type, data, msg_id: msgId };
    if (options.meta !== undefined) frame.meta = options.meta;
    const ack = options.ack !== false;
    if (!this.link.up && this.queue.length >= this.options.max) {
      return Promise.reject(
        new SwitchboardError(
          'RATE_LIMITED',
          `the offline queue is full (${this.options.max} publishes wait for the hub to come back); wait for the "connected" state event or raise offlineQueue.max`,
        ),
      );
    }
    if (!ack) {
      return new Promise<PublishResult>((resolve, reject) => {
        const entry: Entry = { frame, ack, resolve: () => {}, reject, timer: undefined, id: undefined, done: false };
        if (this.link.up) this.send(entry);
        else this.queue.push(entry);
        resolve({ seq: 0, msgId });
      });
    }
    return new Promise<PublishResult>((resolve, reject) => {
      const entry: Entry = { frame, ack, resolve, reject, timer: undefined, id: undefined, done: false };
      entry.timer = setTimeout(() => this.expire(entry), this.options.timeoutMs);
      if (this.link.up) this.send(entry);
      else this.queue.push(entry);
    });
  }

  private send(entry: Entry): void {
    try {
      this.transmit(entry);
    } catch (err) {
      // JSON.stringify refused the data (a cycle, a BigInt): nothing was sent.
      if (entry.done) return;
      this.settle(entry);
      entry.reject(
        new SwitchboardError('BAD_FRAME', `the data of the publish to "${entry.frame.ch}" cannot be sent as JSON: ${(err as Error).message}`, undefined, {
          cause: err,
        }),
      );
    }
  }

  private transmit(entry: Entry): void {
    if (!entry.ack) {
      this.link.send(entry.frame);
      return;
    }
    const id = this.link.call(entry.frame, {
      ok: (f) => {
        this.inflight.delete(id);
        if (entry.done) return;
        this.settle(entry);
        const result: PublishResult = { seq: typeof f.seq === 'number' ? f.seq : 0, msgId: entry.frame.msg_id! };
        if (f.duplicate === true) result.duplicate = true;
        entry.resolve(result);
      },
      err: (f) => {
        if (f.code === 'UNAVAILABLE' && !entry.done) {
          // Not accepted (the hub is stopping, or cannot reach its store): keep it. It goes again, with the same
          // msg_id, after the reconnect (requeue) or after a pause if this socket stays up.
          const retry = setTimeout(() => {
            if (entry.done || this.inflight.get(id) !== entry || !this.link.up) return;
            this.inflight.delete(id);
            entry.id = undefined;
            this.send(entry);
          }, UNAVAILABLE_RETRY_MS);
          (retry as { unref?: () => void }).unref?.();
          return;
        }
        this.inflight.delete(id);
        if (entry.done) return;
        this.settle(entry);
        entry.reject(errorFromFrame(f));
      },
      drop: () => {
        /* requeue() moves it back to the queue */
      },
    });
    entry.id = id;
    this.inflight.set(id, entry);
  }

  private settle(entry: Entry): void {
    entry.done = true;
    clearTimeout(entry.timer);
  }

  private expire(entry: Entry): void {
    if (entry.done) return;
    this.settle(entry);
    const i = this.queue.indexOf(entry);
    if (i >= 0) this.queue.splice(i, 1);
    if (entry.id !== undefined && this.inflight.get(entry.id) === entry) {
      this.inflight.delete(entry.id);
      this.link.cancel(entry.id);
    }
    entry.reject(
      new SwitchboardError(
        'TIMEOUT',
        `no ok for the publish to "${entry.frame.ch}" (msg_id ${entry.frame.msg_id}) within ${this.options.timeoutMs} ms; publishing again with the same msgId is safe within the hub's dedupe window`,
      ),
    );
  }

  /** The socket dropped: sent-but-unacknowledged publishes go back to the head of the queue, in order. */
  requeue(): void {
    const back = [...this.inflight.values()].filter((e) => !e.done);
    this.inflight.clear();
    for (const e of back) e.id = undefined;
    this.queue = [...back, ...this.queue];
  }

  /** A welcomed socket is up: send everything queued, in order. */
  flush(): void {
    const q = this.queue;
    this.queue = [];
    for (const e of q) if (!e.done) this.send(e);
  }

  /** Rejects every queued and unacknowledged publish (the client closed). */
  failAll(err: Error): void {
    const all = [...this.inflight.values(), ...this.queue];
    this.inflight.clear();
    this.queue = [];
    for (const e of all) {
      if (e.done) continue;
      this.settle(e);
      if (e.id !== undefined) this.link.cancel(e.id);
      e.reject(err);
    }
  }
}

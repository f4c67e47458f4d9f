import { createInbox, headers, type Msg, type Subscription } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { TrackedConnection } from './connection.js';

/** What JetStream answered to a publish. */
export interface StoredAck {
  seq: number;
  duplicate: boolean;
}

interface Waiting {
  resolve(ack: StoredAck): void;
  reject(err: unknown): void;
  deadline: number;
}

/**
 * Publishes to JetStream streams and waits for their acks through one wildcard inbox subscription, with one
 * timer for every publish in flight. `js.publish` made a request object, a timer and (on every success) an
 * `Error` with a stack trace per message, about a tenth of a hub node's CPU at a few thousand publishes per
 * second.
 */
export class JsPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly sub: Subscription;
  /** In publish order, so the oldest deadline comes first. */
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  private readonly sweep: NodeJS.Timeout;
  private readonly unwatch: () => void;

  constructor(
    private readonly conn: TrackedConnection,
    private readonly timeoutMs: number,
  ) {
    this.sub = conn.nc.subscribe(`${this.prefix}*`, { callback: (err, m) => (err ? undefined : this.answer(m)) });
    this.sweep = setInterval(() => this.expire(), Math.max(10, Math.min(250, Math.floor(timeoutMs / 4))));
    this.sweep.unref();
    // An answer cannot come back over a dropped connection: refuse what waits (a msg_id makes a retry safe).
    this.unwatch = conn.onChange((up) => {
      if (!up) this.failAll(conn.unavailable('store the message', new Error('the connection to NATS dropped before JetStream answered')));
    });
  }

  /** Stores `data` on the stream of `subject`; `msgId` is the dedupe key (`Nats-Msg-Id`). */
  publish(subject: string, data: string, msgId?: string): Promise<StoredAck> {
    const token = (this.next++).toString(36);
    return new Promise<StoredAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        let h;
        if (msgId !== undefined) {
          h = headers();
          h.set('Nats-Msg-Id', msgId);
        }
        this.conn.nc.publish(subject, data, { reply: this.prefix + token, headers: h });
      } catch (err) {
        this.waiting.delete(token);
        reject(err);
      }
    });
  }

  close(): void {
    clearInterval(this.sweep);
    this.unwatch();
    this.sub.unsubscribe();
    this.failAll(new Error('the JetStream store is closed'));
  }

  private answer(m: Msg): void {
    const token = m.subject.slice(this.prefix.length);
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    const code = m.headers?.code ?? 0;
    if (code === 503 || m.data.length === 0) {
      w.reject(this.conn.unavailable('store the message', new Error(`JetStream did not answer (${code || 'empty reply'}); is nats-server running with -js?`)));
      return;
    }
    try {
      const body = JSON.parse(m.string()) as { seq?: number; duplicate?: boolean; error?: { code: number; err_code: number; description: string } };
      if (body.error) w.reject(new JetStreamApiError(body.error as never));
      else if (typeof body.seq === 'number') w.resolve({ seq: body.seq, duplicate: body.duplicate === true });
      else w.reject(new Error(`JetStream sent an ack without a seq: ${m.string().slice(0, 200)}`));
    } catch (err) {
      w.reject(err);
    }
  }

  private expire(): void {
    if (this.waiting.size === 0) return;
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) break;
      this.waiting.delete(token);
      w.reject(this.conn.unavailable('store the message', new Error(`no answer from JetStream within ${this.timeoutMs} ms`)));
    }
  }

  private failAll(err: unknown): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(err);
  }
}

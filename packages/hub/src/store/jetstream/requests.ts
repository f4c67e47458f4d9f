import { createInbox, headers, type Msg, type MsgHdrs, type Subscription } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { TrackedConnection } from './connection.js';

/** What JetStream answered to a publish. */
export interface StoredAck {
  seq: number;
  duplicate: boolean;
}

interface Waiting {
  resolve(reply: Msg): void;
  reject(err: unknown): void;
  deadline: number;
  action: string;
}

/**
 * Sends requests on the hot paths (stream publishes, delivery acks) and waits for their answers through one
 * wildcard inbox subscription, with one timer for every request in flight. `js.publish` and `nc.request` made
 * a request object, a timer and (on every success) an `Error` with a stack trace per message, about a tenth
 * of a hub node's CPU at a few thousand publishes per second.
 */
export class JsRequests {
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
      if (!up) this.failAll(new Error('the connection to NATS dropped before the answer came'));
    });
  }

  /** Stores `data` on the stream of `subject`; `msgId` is the dedupe key (`Nats-Msg-Id`). */
  async publish(subject: string, data: string, msgId?: string): Promise<StoredAck> {
    let h;
    if (msgId !== undefined) {
      h = headers();
      h.set('Nats-Msg-Id', msgId);
    }
    const m = await this.request(subject, data, 'store the message', h);
    const code = m.headers?.code ?? 0;
    if (code === 503 || m.data.length === 0) {
      throw this.conn.unavailable('store the message', new Error(`JetStream did not answer (${code || 'empty reply'}); is nats-server running with -js?`));
    }
    const body = JSON.parse(m.string()) as { seq?: number; duplicate?: boolean; error?: { code: number; err_code: number; description: string } };
    if (body.error) throw new JetStreamApiError(body.error as never);
    if (typeof body.seq !== 'number') throw new Error(`JetStream sent an ack without a seq: ${m.string().slice(0, 200)}`);
    return { seq: body.seq, duplicate: body.duplicate === true };
  }

  /** Sends `data` to `subject` and resolves with the answer; rejects with `UNAVAILABLE` (naming `action`) after the timeout or a drop. */
  request(subject: string, data: string, action: string, h?: MsgHdrs): Promise<Msg> {
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs, action });
      try {
        this.conn.nc.publish(subject, data, { reply: this.prefix + token, headers: h });
      } catch (err) {
        this.waiting.delete(token);
        reject(this.conn.unavailable(action, err));
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
    w.resolve(m);
  }

  private expire(): void {
    if (this.waiting.size === 0) return;
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) break;
      this.waiting.delete(token);
      w.reject(this.conn.unavailable(w.action, new Error(`no answer from NATS within ${this.timeoutMs} ms`)));
    }
  }

  private failAll(err: unknown): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(this.conn.unavailable(w.action, err));
  }
}

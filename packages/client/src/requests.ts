import { SwitchboardError, type EnvelopeMeta, type FrameId, type IncomingReqFrame, type ReplyFrame, type ReqFrame } from '@switchboard/protocol';
import { errorFromFrame } from './errors.js';
import type { Link } from './link.js';
import type { RequestHandler } from './types.js';

/** Extra time the client waits past a request's timeout, so that the hub's own `TIMEOUT` answer comes first. */
const GRACE_MS = 500;

interface Waiting {
  frame: ReqFrame;
  deadline: number;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  id: FrameId | undefined;
  done: boolean;
}

/**
 * Outgoing requests (sent at once, or when the socket is back if made while disconnected; a request in flight
 * when the socket drops fails with `UNAVAILABLE`, since it may have been handled) and incoming ones (answered by
 * the latest handler registered).
 */
export class Requests {
  private waiting: Waiting[] = [];
  private readonly sent = new Set<Waiting>();
  private readonly handlers: RequestHandler[] = [];

  constructor(
    private readonly link: Link,
    private readonly component: string,
    private readonly defaultTimeoutMs: number,
  ) {}

  request<R>(to: string, type: string, data: unknown, options: { timeoutMs?: number; meta?: EnvelopeMeta } = {}): Promise<R> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const frame: ReqFrame = { op: 'req', to, type, timeout_ms: timeoutMs };
    if (data !== undefined) frame.data = data;
    if (options.meta !== undefined) frame.meta = options.meta;
    return new Promise<R>((resolve, reject) => {
      const w: Waiting = {
        frame,
        deadline: Date.now() + timeoutMs,
        resolve: resolve as (d: unknown) => void,
        reject,
        timer: undefined,
        id: undefined,
        done: false,
      };
      w.timer = setTimeout(() => this.expire(w), timeoutMs + GRACE_MS);
      if (this.link.up) this.send(w);
      else this.waiting.push(w);
    });
  }

  private send(w: Waiting): void {
    const remaining = Math.max(1, w.deadline - Date.now());
    w.frame.timeout_ms = remaining;
    this.sent.add(w);
    w.id = this.link.call(w.frame, {
      ok: (f) => this.settle(w, undefined, f.data),
      err: (f) => this.settle(w, errorFromFrame(f)),
      drop: () =>
        this.settle(
          w,
          new SwitchboardError(
            'UNAVAILABLE',
            `the connection to the hub dropped before "${w.frame.to}" replied to "${w.frame.type}"; the request may or may not have been handled`,
          ),
        ),
    });
  }

  private settle(w: Waiting, err: Error | undefined, data?: unknown): void {
    this.sent.delete(w);
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve(data);
  }

  private expire(w: Waiting): void {
    if (w.done) return;
    const i = this.waiting.indexOf(w);
    if (i >= 0) this.waiting.splice(i, 1);
    if (w.id !== undefined) this.link.cancel(w.id);
    const where = i >= 0 ? ' (the client was not connected to a hub the whole time)' : '';
    this.settle(w, new SwitchboardError('TIMEOUT', `no reply from "${w.frame.to}" to "${w.frame.type}" within ${w.frame.timeout_ms} ms${where}`));
  }

  /** A welcomed socket is up: send the requests made while disconnected. */
  flush(): void {
    const q = this.waiting;
    this.waiting = [];
    for (const w of q) if (!w.done) this.send(w);
  }

  /** Rejects every pending request (the client closed). */
  failAll(err: Error): void {
    const all = [...this.waiting, ...this.sent];
    this.waiting = [];
    for (const w of all) {
      if (w.id !== undefined) this.link.cancel(w.id);
      this.settle(w, err);
    }
  }

  onRequest(handler: RequestHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const i = this.handlers.lastIndexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** A request for this component arrived: run the handler and send its reply. */
  handle(frame: IncomingReqFrame): void {
    const handler = this.handlers[this.handlers.length - 1];
    const reply = (r: Omit<ReplyFrame, 'op' | 'rid'>) => {
      try {
        this.link.send({ op: 'reply', rid: frame.rid, ...r });
      } catch (err) {
        this.link.send({
          op: 'reply',
          rid: frame.rid,
          error: { code: 'INTERNAL', message: `the reply to "${frame.type}" could not be sent: ${(err as Error).message}` },
        });
      }
    };
    if (!handler) {
      reply({
        error: {
          code: 'UNAVAILABLE',
          message: `component "${this.component}" is connected but has no request handler; it must call client.onRequest(handler)`,
        },
      });
      return;
    }
    const req = { type: frame.type, data: frame.data, from: frame.from };
    if (frame.meta !== undefined) Object.assign(req, { meta: frame.meta });
    void Promise.resolve()
      .then(() => handler(req))
      .then(
        (data) => reply(data === undefined ? {} : { data }),
        (err: unknown) => {
          if (err instanceof SwitchboardError) {
            const error: NonNullable<ReplyFrame['error']> = { code: err.code, message: err.message };
            if (err.details !== undefined) error.details = err.details;
            reply({ error });
          } else {
            reply({ error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } });
          }
        },
      );
  }
}

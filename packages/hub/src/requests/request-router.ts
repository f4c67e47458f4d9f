import { isErrorCode, SwitchboardError, type EnvelopeMeta } from '@switchboard/protocol';
import type { HubConfig } from '../config/config.js';
import { createLocalCluster, noResponder, type Cluster, type ReplyPayload } from '../cluster/cluster.js';

/** A connection that can receive requests. */
export interface Responder {
  readonly component: string;
  readonly sessionId: string;
  send(text: string): void;
}

interface PendingRequest {
  target: Responder;
  resolve: (reply: ReplyPayload) => void;
  reject: (err: SwitchboardError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply between components: which connections serve each component id, round-robin among them,
 * and the requests waiting for a reply.
 */
export class RequestRouter {
  private readonly byComponent = new Map<string, Responder[]>();
  private readonly rr = new Map<string, number>();
  private readonly pending = new Map<string, PendingRequest>();
  /** Per component served here: stops serving it to the other nodes. */
  private readonly withdraw = new Map<string, () => void>();
  private next = 1;

  /** `cluster` carries requests to components connected to other nodes (and theirs to ours). */
  constructor(
    private readonly config: HubConfig,
    private readonly cluster: Cluster = createLocalCluster(),
  ) {}

  add(r: Responder): void {
    const list = this.byComponent.get(r.component) ?? [];
    list.push(r);
    this.byComponent.set(r.component, list);
    if (!this.withdraw.has(r.component)) {
      this.withdraw.set(
        r.component,
        this.cluster.serve(r.component, (q) => this.requestLocal(q.from, q.to, q.type, q.data, q.timeoutMs, q.meta, q.dataText)),
      );
    }
  }

  /** Removes a connection; its unanswered requests fail with UNAVAILABLE at once. */
  remove(r: Responder): void {
    const list = (this.byComponent.get(r.component) ?? []).filter((x) => x !== r);
    if (list.length) this.byComponent.set(r.component, list);
    else {
      this.byComponent.delete(r.component);
      this.withdraw.get(r.component)?.();
      this.withdraw.delete(r.component);
    }
    for (const [rid, p] of this.pending) {
      if (p.target === r) {
        this.settle(rid);
        p.reject(new SwitchboardError('UNAVAILABLE', `component "${r.component}" disconnected before replying; retry the request`));
      }
    }
  }

  /** Whether any connection serves `component`. */
  has(component: string): boolean {
    return this.byComponent.has(component);
  }

  /**
   * Sends a request to a connection of `to` (on this node when it has one, else on another) and resolves with the
   * reply's data. `dataText`, the requester's own text of `data`, reaches the responder as written; the reply's
   * text comes back the same way.
   */
  request(from: string, to: string, type: string, data: unknown, timeoutMs: number | undefined, meta?: EnvelopeMeta, dataText?: string): Promise<ReplyPayload> {
    if (!this.byComponent.has(to)) {
      const timeout = Math.min(timeoutMs ?? this.config.requestTimeoutMs, this.config.maxRequestTimeoutMs);
      return this.cluster.request({ from, to, type, data, timeoutMs: timeout, meta, ...(dataText !== undefined ? { dataText } : {}) });
    }
    return this.requestLocal(from, to, type, data, timeoutMs, meta, dataText);
  }

  private requestLocal(
    from: string,
    to: string,
    type: string,
    data: unknown,
    timeoutMs: number | undefined,
    meta?: EnvelopeMeta,
    dataText?: string,
  ): Promise<ReplyPayload> {
    const list = this.byComponent.get(to);
    if (!list || list.length === 0) return Promise.reject(noResponder(to));
    const i = (this.rr.get(to) ?? 0) % list.length;
    this.rr.set(to, i + 1);
    const target = list[i]!;
    const timeout = Math.min(timeoutMs ?? this.config.requestTimeoutMs, this.config.maxRequestTimeoutMs);
    const rid = 'r' + this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(rid);
        reject(new SwitchboardError('TIMEOUT', `"${to}" did not reply to "${type}" within ${timeout} ms; raise timeout_ms or check that component`));
      }, timeout);
      timer.unref?.();
      this.pending.set(rid, { target, resolve, reject, timer });
      const head = JSON.stringify({ op: 'req', rid, from, type }).slice(0, -1);
      const text = data === undefined ? 'null' : (dataText ?? JSON.stringify(data));
      target.send(head + ',"data":' + text + ',"timeout_ms":' + timeout + (meta ? ',"meta":' + JSON.stringify(meta) : '') + '}');
    });
  }

  /**
   * Handles a `reply` from `from` (`dataText`: its own text of `data`); throws NOT_FOUND when the request is unknown,
   * already answered or timed out.
   */
  reply(from: Responder, rid: unknown, data: unknown, error: unknown, dataText?: string): void {
    if (typeof rid !== 'string') throw new SwitchboardError('BAD_FRAME', '"rid" must be the string "rid" of the request being answered');
    if (error !== undefined && error !== null && (typeof error !== 'object' || Array.isArray(error))) {
      throw new SwitchboardError('BAD_FRAME', '"error" must be an object such as {"code":"NOT_FOUND","message":"…"}');
    }
    const p = this.pending.get(rid);
    if (!p || p.target !== from)
      throw new SwitchboardError(
        'NOT_FOUND',
        `no request "${rid}" is waiting for this connection's reply (it timed out, was answered, or was sent to another connection)`,
      );
    this.settle(rid);
    if (error !== undefined && error !== null) {
      const e = (typeof error === 'object' ? error : { message: String(error) }) as { code?: unknown; message?: unknown; details?: unknown };
      const message = typeof e.message === 'string' ? e.message : `"${from.component}" replied with an error`;
      if (isErrorCode(e.code)) p.reject(new SwitchboardError(e.code, message, e.details));
      else p.reject(new SwitchboardError('INTERNAL', message, { code: e.code, details: e.details }));
      return;
    }
    p.resolve(data === undefined ? { data: null } : { data, dataText });
  }

  close(): void {
    for (const stop of this.withdraw.values()) stop();
    this.withdraw.clear();
    for (const [rid, p] of this.pending) {
      this.settle(rid);
      p.reject(new SwitchboardError('UNAVAILABLE', 'the hub is shutting down; retry on another node or after restart'));
    }
  }

  private settle(rid: string): void {
    const p = this.pending.get(rid);
    if (p) clearTimeout(p.timer);
    this.pending.delete(rid);
  }
}

import WebSocket from 'ws';
import type { DocOp, Envelope, FrameId, HubLimits, PresenceMember } from '@switchboard/protocol';

/**
 * A frame as a test reads it off the wire: the fields of every frame the hub sends, flattened into one shape
 * (`ServerFrame` in @switchboard/protocol says which op carries which). A field is optional here when the hub may
 * leave it out of the op that carries it, and required when that op always has it; a test reads the fields of the
 * op it awaited (a field of another op is `undefined` at run time, and the assertion on it fails).
 * Payloads (`data`, `value`, `details`) are `unknown`; `E` is the envelope a test expects in `msg` (e.g.
 * `Envelope<{ i: number }>`, see {@link RawClient.messages}), unchecked, as `JSON.parse` would give it. Other fields
 * are open, as in `OkFrame`: an `ok` carries the results of its op, and a feature adds fields of its own to `ok` and
 * `welcome`.
 */
export interface WireFrame<E extends Envelope = Envelope> {
  [field: string]: unknown;
  op: string;
  /** The `id` of the frame this one answers. */
  re?: FrameId;
  // err
  code: string;
  message: string;
  details?: unknown;
  msg_id?: string;
  // msg, and the ok of sub / pub
  sub: string;
  msg: E;
  redelivered?: number;
  seq: number;
  head: number;
  duplicate?: boolean;
  ch: string;
  // welcome
  session: string;
  node: string;
  heartbeat_ms: number;
  limits: HubLimits;
  resumed?: boolean;
  /** The welcome of a resumed session (`resumed: true`): the subscriptions restored. */
  subs: { sub: string; ch: string; group?: string; ack?: string }[];
  /** With `resumed: true`: the document subscriptions restored. */
  docs?: { doc: string; version: number }[];
  // doc.patch, and the ok of doc.sub / doc.update
  doc: string;
  version: number;
  ops: DocOp[];
  by: string;
  ref?: string;
  value?: unknown;
  // join / leave, and the ok of presence
  member: PresenceMember;
  members: PresenceMember[];
  // an incoming req, and the ok of req
  rid: string;
  from: string;
  type: string;
  data?: unknown;
  meta?: Record<string, unknown>;
  timeout_ms?: number;
  /** Set by {@link RawClient} (op `__unparsable__`) on a message that is not JSON: its text and whether it was binary. */
  text?: string;
  isBinary?: boolean;
}

/** Which frames a wait or a tap is for. */
export type FramePredicate = (f: WireFrame) => boolean;

/**
 * A protocol client written without the SDK: a socket, a frame queue and helpers to wait for frames.
 * Tests of the wire protocol use it so that they check exactly what a client in any language sees.
 */
export class RawClient {
  readonly ws: WebSocket;
  readonly frames: WireFrame[] = [];
  private waiters: { pred: FramePredicate; resolve: (f: WireFrame) => void }[] = [];
  private taps: { pred: FramePredicate; fn: (f: WireFrame) => void }[] = [];
  private nextId = 1;
  private readonly arrivals = new WeakMap<object, number>();
  closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let frame: WireFrame;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { op: '__unparsable__', text, isBinary } as WireFrame;
      }
      if (typeof frame === 'object' && frame !== null) this.arrivals.set(frame, Date.now());
      for (const t of this.taps) if (t.pred(frame)) return t.fn(frame);
      const i = this.waiters.findIndex((w) => w.pred(frame));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w!.resolve(frame);
      } else this.frames.push(frame);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Opens a socket (no hello yet). */
  static async open(url: string, protocols: string | string[] = 'switchboard.v1'): Promise<RawClient> {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  /** Opens a socket and completes `hello`; resolves with the welcome frame. */
  static async connect(url: string, component = 'test', extra: Record<string, unknown> = {}): Promise<{ client: RawClient; welcome: WireFrame }> {
    const client = await RawClient.open(url);
    const welcome = await client.call({ op: 'hello', component, version: '1.0.0', ...extra });
    return { client, welcome };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh `id` and resolves with the reply carrying `re` equal to it. */
  async call(frame: Record<string, unknown>, timeoutMs = 5000): Promise<WireFrame> {
    const id = this.nextId++;
    this.send({ ...frame, id });
    return this.next((f) => f.re === id, timeoutMs);
  }

  /** When `frame` arrived (epoch ms), whether it was awaited at once or queued. */
  arrivedAt(frame: object): number {
    return this.arrivals.get(frame) ?? Date.now();
  }

  /**
   * Resolves with the first frame (queued or future) matching `pred`, removing it from the queue. `E` is the
   * envelope the test expects in its `msg` (not checked).
   */
  next<E extends Envelope = Envelope>(pred: FramePredicate = () => true, timeoutMs = 5000): Promise<WireFrame<E>> {
    return this.take(pred, timeoutMs) as Promise<WireFrame<E>>;
  }

  private take(pred: FramePredicate, timeoutMs: number): Promise<WireFrame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f: WireFrame) => {
          clearTimeout(t);
          resolve(f);
        },
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; queued: ${JSON.stringify(this.frames).slice(0, 2000)}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Collects `count` `msg` frames of subscription `sub`; `E` is the envelope the test expects in `msg` (not checked). */
  async messages<E extends Envelope = Envelope>(sub: string, count: number, timeoutMs = 5000): Promise<WireFrame<E>[]> {
    const out: WireFrame<E>[] = [];
    for (let i = 0; i < count; i++) out.push(await this.next<E>((f) => f.op === 'msg' && f.sub === sub, timeoutMs));
    return out;
  }

  /**
   * Hands every frame matching `pred`, queued or future, to `fn` instead of queueing it (for streams of
   * thousands of frames, where waiting frame by frame would be slow). Returns a function that removes the tap.
   */
  tap(pred: FramePredicate, fn: (f: WireFrame) => void): () => void {
    const t = { pred, fn };
    this.taps.push(t);
    for (const f of this.drain(pred)) fn(f);
    return () => {
      const i = this.taps.indexOf(t);
      if (i >= 0) this.taps.splice(i, 1);
    };
  }

  /** Frames queued that nobody awaited, optionally filtered. */
  drain(pred: FramePredicate = () => true): WireFrame[] {
    const out = this.frames.filter(pred);
    for (const f of out) this.frames.splice(this.frames.indexOf(f), 1);
    return out;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

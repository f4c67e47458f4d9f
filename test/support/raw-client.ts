import WebSocket from 'ws';

/**
 * A protocol client written without the SDK: a socket, a frame queue and helpers to wait for frames.
 * Tests of the wire protocol use it so that they check exactly what a client in any language sees.
 */
export class RawClient {
  readonly ws: WebSocket;
  readonly frames: any[] = [];
  private waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  private taps: { pred: (f: any) => boolean; fn: (f: any) => void }[] = [];
  private nextId = 1;
  private readonly arrivals = new WeakMap<object, number>();
  closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let frame: any;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { op: '__unparsable__', text, isBinary };
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
  static async connect(url: string, component = 'test', extra: Record<string, unknown> = {}): Promise<{ client: RawClient; welcome: any }> {
    const client = await RawClient.open(url);
    const welcome = await client.call({ op: 'hello', component, version: '1.0.0', ...extra });
    return { client, welcome };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh `id` and resolves with the reply carrying `re` equal to it. */
  async call(frame: Record<string, unknown>, timeoutMs = 5000): Promise<any> {
    const id = this.nextId++;
    this.send({ ...frame, id });
    return this.next((f) => f.re === id, timeoutMs);
  }

  /** When `frame` arrived (epoch ms), whether it was awaited at once or queued. */
  arrivedAt(frame: object): number {
    return this.arrivals.get(frame) ?? Date.now();
  }

  /** Resolves with the first frame (queued or future) matching `pred`, removing it from the queue. */
  next(pred: (f: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f: any) => {
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

  /** Collects `count` `msg` frames of subscription `sub`. */
  async messages(sub: string, count: number, timeoutMs = 5000): Promise<any[]> {
    const out: any[] = [];
    for (let i = 0; i < count; i++) out.push(await this.next((f) => f.op === 'msg' && f.sub === sub, timeoutMs));
    return out;
  }

  /**
   * Hands every frame matching `pred`, queued or future, to `fn` instead of queueing it (for streams of
   * thousands of frames, where waiting frame by frame would be slow). Returns a function that removes the tap.
   */
  tap(pred: (f: any) => boolean, fn: (f: any) => void): () => void {
    const t = { pred, fn };
    this.taps.push(t);
    for (const f of this.drain(pred)) fn(f);
    return () => {
      const i = this.taps.indexOf(t);
      if (i >= 0) this.taps.splice(i, 1);
    };
  }

  /** Frames queued that nobody awaited, optionally filtered. */
  drain(pred: (f: any) => boolean = () => true): any[] {
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

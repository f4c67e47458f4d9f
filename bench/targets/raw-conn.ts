/** A raw v1 connection of the benchmark generator to Switchboard (no SDK), shared by the channel and document targets. */
import WebSocket from 'ws';

/** A reply frame (`ok` or `err`), with whatever else it carries (e.g. `version`, `value` of a `doc.sub`). */
export interface Reply {
  op: string;
  re?: number;
  code?: string;
  message?: string;
  [key: string]: unknown;
}

/** A `doc.patch` frame. */
export interface DocPatchFrame {
  op: 'doc.patch';
  doc: string;
  version: number;
  ops: unknown[];
  by: string;
}

/**
 * A raw v1 connection: replies by `re`, `msg` frames to `onMsg`, `doc.patch` frames to `onPatch`, refusals
 * without `re` to `onErr`.
 */
export class RawConn {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();
  onMsg: ((data: { n: number; t: number }) => void) | undefined;
  onPatch: ((patch: DocPatchFrame) => void) | undefined;

  private constructor(
    readonly ws: WebSocket,
    private readonly onErr: (e: string) => void,
  ) {
    ws.on('message', (buf: Buffer) => this.frame(buf));
  }

  static async open(url: string, component: string, onErr: (e: string) => void): Promise<RawConn> {
    const ws = new WebSocket(url, 'switchboard.v1', { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new RawConn(ws, onErr);
    const w = await c.request({ op: 'hello', component });
    if (w.op !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(w)}`);
    return c;
  }

  private frame(buf: Buffer): void {
    const text = buf.toString();
    // A msg frame: only its `data` object (the 64-byte payload) is parsed, as the other targets' subscribers parse
    // about that much, so the generator's cost per delivery does not grow with the envelope around it.
    if (text.startsWith('{"op":"msg"')) {
      const at = text.indexOf('"data":{');
      this.onMsg?.(JSON.parse(text.slice(at + 7, text.indexOf('}', at) + 1)) as { n: number; t: number });
      return;
    }
    const f = JSON.parse(text) as Reply;
    if (f.op === 'doc.patch') {
      this.onPatch?.(f as unknown as DocPatchFrame);
      return;
    }
    if (typeof f.re === 'number') {
      const cb = this.pending.get(f.re);
      if (cb) {
        this.pending.delete(f.re);
        cb(f);
        return;
      }
    }
    if (f.op === 'err') this.onErr(`${f.code}: ${f.message}`);
  }

  request(frame: Record<string, unknown>): Promise<Reply> {
    return new Promise((resolve) => this.requestCb(JSON.stringify({ ...frame, id: this.nextId }), resolve));
  }

  /** Sends a pre-built frame prefix `{"op":…` completed with `,"id":N}` and calls back on the reply. */
  requestCb(frameWithId: string, cb: (r: Reply) => void): void {
    this.pending.set(this.nextId++, cb);
    this.ws.send(frameWithId);
  }

  get id(): number {
    return this.nextId;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}

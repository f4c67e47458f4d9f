import { SUBPROTOCOL, SwitchboardError } from '@switchboard/protocol';
import { upgradeRefused } from './hub-url.js';

/**
 * The part of a WebSocket object the client uses: the WHATWG shape, which browsers and `ws` both implement.
 * Handler parameters are `any` so that both the DOM and the `ws` declarations are assignable.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: any) => void) | null;
  onclose: ((ev: any) => void) | null;
  onerror: ((ev: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** A WebSocket constructor (`globalThis.WebSocket`, the `ws` package's default export, or a test double). */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** One open socket, as the client core sees it: text frames in and out, one close notification. */
export interface Transport {
  send(text: string): void;
  /** Close the socket; `onclose` still fires once. */
  close(code?: number, reason?: string): void;
  onmessage: (text: string) => void;
  onclose: (info: { code: number; reason: string }) => void;
}

const decoder = new TextDecoder();

function toText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return decoder.decode(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return decoder.decode(data);
  return undefined;
}

/**
 * Opens a socket to `url` with the `switchboard.v1` subprotocol. Resolves once it is open; rejects with
 * `UNAVAILABLE` when it fails or closes first, or after `timeoutMs`, and with `NOT_FOUND` when the server refused
 * the upgrade with HTTP 400 or 404 (a wrong path: retrying cannot help).
 */
export function openTransport(Ctor: WebSocketCtor, url: string, timeoutMs: number): Promise<Transport> {
  return new Promise<Transport>((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url, SUBPROTOCOL);
    } catch (err) {
      reject(new SwitchboardError('UNAVAILABLE', `cannot open a WebSocket to ${url}: ${(err as Error).message}`, undefined, { cause: err }));
      return;
    }
    let settled = false;
    const fail = (why: string | SwitchboardError, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
      try {
        ws.close();
      } catch {
        /* already closing */
      }
      if (why instanceof SwitchboardError) reject(why);
      else reject(new SwitchboardError('UNAVAILABLE', `cannot connect to ${url}: ${why}`, undefined, cause === undefined ? undefined : { cause }));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    ws.onerror = (ev: unknown) => fail(upgradeRefused(url, errorText(ev)) ?? errorText(ev), ev);
    ws.onclose = (ev: { code: number; reason: string }) => fail(`closed with code ${ev.code}${ev.reason ? ` (${ev.reason})` : ''}`);
    ws.onopen = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(wrap(ws));
    };
  });
}

function errorText(ev: unknown): string {
  const e = ev as { message?: unknown; error?: { message?: unknown } } | null;
  const msg = e?.error?.message ?? e?.message;
  return typeof msg === 'string' && msg ? msg : 'socket error';
}

function wrap(ws: WebSocketLike): Transport {
  let closed = false;
  let fallback: ReturnType<typeof setTimeout> | undefined;
  const t: Transport = {
    send(text) {
      ws.send(text);
    },
    close(code = 1000, reason = '') {
      try {
        ws.close(code, reason);
      } catch {
        /* already closed */
      }
      // A socket whose peer is gone may take long to report close: report it ourselves after a moment.
      if (!closed && fallback === undefined) fallback = setTimeout(() => done({ code: 1006, reason: 'closed by client' }), 1000);
    },
    onmessage: () => {},
    onclose: () => {},
  };
  const done = (info: { code: number; reason: string }) => {
    if (closed) return;
    closed = true;
    clearTimeout(fallback);
    ws.onmessage = ws.onclose = ws.onerror = null;
    t.onclose(info);
  };
  ws.onmessage = (ev: { data: unknown }) => {
    const text = toText(ev.data);
    if (text !== undefined) t.onmessage(text);
  };
  ws.onclose = (ev: { code: number; reason: string }) => done({ code: ev.code, reason: String(ev.reason ?? '') });
  ws.onerror = () => {
    /* a close event follows */
  };
  return t;
}

/**
 * TLS settings for `wss://` in Node (passed to the `ws` package): a private CA or a self-signed hub certificate
 * (`ca`), a client certificate (`cert`, `key`), the name to check (`servername`). Browsers use their own trust store.
 */
export interface TlsOptions {
  ca?: string | Uint8Array | (string | Uint8Array)[];
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  servername?: string;
  /** false skips the certificate check: for tests only, never in production. Default true. */
  rejectUnauthorized?: boolean;
}

/**
 * Picks the WebSocket constructor: the injected one, `globalThis.WebSocket`, else the `ws` package (loaded
 * only when needed, so browsers never see it). With `tls`, the `ws` package always (it takes TLS options), its
 * sockets opened with them.
 */
export async function resolveWebSocket(injected: WebSocketCtor | undefined, tls?: TlsOptions): Promise<WebSocketCtor> {
  if (injected) return injected;
  const g = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (g && !tls) return g;
  const name = 'ws';
  let ctor: (new (url: string, protocols?: string | string[], options?: TlsOptions) => WebSocketLike) | undefined;
  try {
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as { default?: typeof ctor; WebSocket?: typeof ctor };
    ctor = mod.default ?? mod.WebSocket;
  } catch (err) {
    throw new SwitchboardError(
      'UNAVAILABLE',
      tls
        ? 'the tls option needs the "ws" package (Node); run `npm install ws`, or drop tls in a browser (it uses its own trust store)'
        : 'no WebSocket implementation: this runtime has no globalThis.WebSocket and the "ws" package is not installed; run `npm install ws` or pass options.WebSocket',
      undefined,
      { cause: err },
    );
  }
  if (!ctor) throw new SwitchboardError('UNAVAILABLE', 'the "ws" package has no WebSocket export; pass options.WebSocket');
  if (!tls) return ctor;
  const Base = ctor;
  return class extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, tls);
    }
  } as unknown as WebSocketCtor;
}

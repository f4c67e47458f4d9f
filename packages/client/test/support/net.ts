import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import type { WebSocketCtor } from '../../src/transport.js';

export { TcpProxy, proxyFor } from '../../../../test/support/tcp-proxy.js';

/** A frame the SDK wrote (the JSON object, as parsed), with the number of the socket it went out on (1 for the first socket, …). */
export interface SentFrame {
  conn: number;
  frame: Record<string, unknown>;
}

/**
 * The `ws` WebSocket (what the SDK uses on Node anyway), injected through the documented `WebSocket` option with
 * one addition: every text frame the SDK sends is recorded before it goes out on the real socket. Tests use it to
 * check what the SDK put on the wire (the `from` of a re-subscription, the `msg_id` of a re-sent publish, acks).
 */
export class Wire {
  readonly sent: SentFrame[] = [];
  /** Sockets opened so far. */
  connections = 0;
  readonly WebSocket: WebSocketCtor;

  constructor() {
    const opened = () => ++this.connections;
    const record = (f: SentFrame) => this.sent.push(f);
    class RecordingWebSocket extends WebSocket {
      private readonly conn: number;
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.conn = opened();
      }
      override send(data: unknown, ...rest: unknown[]): void {
        if (typeof data === 'string') record({ conn: this.conn, frame: JSON.parse(data) });
        (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
    }
    this.WebSocket = RecordingWebSocket as unknown as WebSocketCtor;
  }

  /** The frames with this `op` sent so far, optionally only those on socket `conn`; `F` is the shape expected (not checked). */
  frames<F extends object = Record<string, unknown>>(op: string, conn?: number): F[] {
    return this.sent.filter((s) => s.frame.op === op && (conn === undefined || s.conn === conn)).map((s) => s.frame as F);
  }
}

/** An HS256 JWT signed with `secret` (what the hub verifies with `--token-secret`). */
export function signToken(secret: string, claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000), ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

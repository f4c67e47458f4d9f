import { createHmac } from 'node:crypto';
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { WebSocketCtor } from '../../src/transport.js';

/**
 * A TCP proxy in front of a hub: a real network path between the SDK and a real hub process that a test can
 * break without touching the hub. `cut()` destroys every connection through it (the SDK and the hub each see
 * their TCP connection end, as when a network link drops); while it is `down`, new connections are accepted and
 * destroyed at once, so the SDK's reconnect attempts fail until `restore()`.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  /** Connections accepted so far (refused ones included). */
  accepted = 0;

  private constructor(private readonly server: Server, readonly port: number) {}

  /** Listens on 127.0.0.1, port 0, and forwards to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** `ws://127.0.0.1:PORT/v1/ws` through the proxy. */
  get wsUrl(): string { return `ws://127.0.0.1:${this.port}/v1/ws`; }

  private accept(client: Socket, targetPort: number): void {
    this.accepted++;
    if (this.down) { client.destroy(); return; }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => { /* the other side is destroyed below */ });
      s.on('close', () => { this.sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every connection through the proxy; with `stayDown`, refuses new ones until `restore()`. */
  cut(stayDown = false): void {
    if (stayDown) this.down = true;
    for (const s of [...this.sockets]) s.destroy();
  }

  restore(): void { this.down = false; }

  close(): Promise<void> {
    this.cut(true);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A proxy to `targetPort` for one test, closed when the test ends. */
export async function proxyFor(t: { after(fn: () => unknown): void }, targetPort: number): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(targetPort);
  t.after(() => proxy.close());
  return proxy;
}

/** A frame the SDK wrote, with the number of the socket it went out on (1 for the first socket, …). */
export interface SentFrame { conn: number; frame: any }

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
    const wire = this;
    class RecordingWebSocket extends WebSocket {
      private readonly conn: number;
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.conn = ++wire.connections;
      }
      override send(data: any, ...rest: any[]): void {
        if (typeof data === 'string') wire.sent.push({ conn: this.conn, frame: JSON.parse(data) });
        (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
    }
    this.WebSocket = RecordingWebSocket as unknown as WebSocketCtor;
  }

  /** The frames with this `op` sent so far, optionally only those on socket `conn`. */
  frames(op: string, conn?: number): any[] {
    return this.sent.filter((s) => s.frame.op === op && (conn === undefined || s.conn === conn)).map((s) => s.frame);
  }
}

/** An HS256 JWT signed with `secret` (what the hub verifies with `--token-secret`). */
export function signToken(secret: string, claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000), ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

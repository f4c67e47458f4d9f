// A TCP proxy in front of a server (a hub, a nats-server): a real network path a test can break without touching
// either end — take the SDK off its hub, or one hub node off NATS.
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * `cut()` destroys every connection through the proxy (both ends see their TCP connection end, as when a network
 * link drops); while it is down, new connections are accepted and destroyed at once, so reconnect attempts fail
 * until `restore()`.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  /** Connections accepted so far (refused ones included). */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1, port 0, and forwards to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client, targetPort));
    return proxy;
  }

  /** `ws://127.0.0.1:PORT/v1/ws` through the proxy (a hub target). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  /** `nats://127.0.0.1:PORT` through the proxy (a nats-server target). */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket, targetPort: number): void {
    this.accepted++;
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {
        /* the other side is destroyed below */
      });
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every connection through the proxy; with `stayDown`, refuses new ones until `restore()`. */
  cut(stayDown = false): void {
    if (stayDown) this.down = true;
    for (const s of [...this.sockets]) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

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

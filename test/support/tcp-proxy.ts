// A TCP proxy a test can cut and restore, to take one process off the network (e.g. one hub node off NATS).
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `nats://127.0.0.1:PORT` (the proxy forwards any TCP protocol; the URL form suits a NATS target). */
  readonly url: string;
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void;
  /** Accepts (and forwards) connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 and a free port that forwards every connection to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    cut() {
      refusing = true;
      for (const s of open) s.destroy();
    },
    restore() {
      refusing = false;
    },
    async close() {
      refusing = true;
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** NATS core and NATS JetStream (file storage): Debian `nats-server` on a free port, official Node client. */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { freePort, spawnServer } from '../lib/proc.js';
import { natsKvDocuments } from './nats-kv.js';
import type { OnSample, Publisher, Session, Subscriber, Target } from './types.js';

let version: string | null | undefined;
/** `nats-server --version`, or null when it is not installed. */
export function natsServerVersion(): string | null {
  if (version === undefined) {
    try {
      version = execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      version = null;
    }
  }
  return version;
}

const MISSING = 'nats-server not found on PATH — install it with `sudo apt-get install -y nats-server` (Debian/Ubuntu); NATS peers skipped';

function makeTarget(js: boolean): Target {
  return {
    id: js ? 'jetstream' : 'nats',
    label: js ? 'NATS JetStream (file)' : 'NATS core',
    isSwitchboard: false,
    acked: js,
    unavailable: () => (natsServerVersion() === null ? MISSING : undefined),
    async start(tmp: string): Promise<Session> {
      const port = await freePort();
      const args = ['-a', '127.0.0.1', '-p', String(port)];
      if (js) {
        const sd = join(tmp, 'js');
        mkdirSync(sd, { recursive: true });
        args.push('-js', '-sd', sd);
      }
      const server = await spawnServer({
        name: js ? 'nats-server -js' : 'nats-server',
        cmd: 'nats-server',
        args,
        ready: (out) => (/Server is ready/.test(out) ? port : undefined),
      });
      const conns: NatsConnection[] = [];
      const errors: string[] = [];
      const open = async () => {
        const nc = await connect({ servers: `127.0.0.1:${port}`, noEcho: true });
        conns.push(nc);
        return nc;
      };
      if (js) {
        const nc = await open();
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], storage: 'file' as never });
      }
      const enc = new TextEncoder();
      const onErr = (e: string) => {
        if (errors.length < 20) errors.push(e);
      };
      return {
        server,
        errors: () => errors,
        documents: js ? natsKvDocuments(open, onErr) : undefined,
        async idle() {
          const nc = await connect({ servers: `127.0.0.1:${port}`, noEcho: true, reconnect: false });
          return () => {
            void nc.close().catch(() => undefined);
          };
        },
        async publisher(topic: string): Promise<Publisher> {
          const nc = await open();
          const subject = `bench.${topic}`;
          const client = js ? jetstream(nc) : undefined;
          return {
            send: (p) => nc.publish(subject, enc.encode(p)),
            sendAcked: client
              ? (p, done) => {
                  client.publish(subject, enc.encode(p)).then(
                    () => done(),
                    (e: unknown) => done(String(e)),
                  );
                }
              : undefined,
            close: async () => {
              await nc.drain().catch(() => undefined);
            },
          };
        },
        async subscriber(topic: string, on: OnSample): Promise<Subscriber> {
          const nc = await open();
          const sub = nc.subscribe(`bench.${topic}`, {
            callback: (err, m) => {
              if (err) {
                if (errors.length < 20) errors.push(String(err));
                return;
              }
              const o = JSON.parse(m.string()) as { n: number; t: number };
              on(o.n, o.t);
            },
          });
          await nc.flush();
          return {
            close: async () => {
              sub.unsubscribe();
            },
          };
        },
        async stop() {
          await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
          await server.stop();
        },
      };
    },
  };
}

export const natsCore = makeTarget(false);
export const natsJetStream = makeTarget(true);

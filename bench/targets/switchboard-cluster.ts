/**
 * Switchboard as three hub nodes sharing one nats-server with JetStream (file storage): the publisher talks to
 * node 1, the subscribers to nodes 2 and 3 in turn, so every delivery crosses nodes. Channel `bench.dur`,
 * durable and validated, as for `switchboard-durable`. CPU and memory figures are those of node 2.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnServer, type ServerHandle } from '../lib/proc.js';
import { natsServerVersion } from './nats.js';
import { BENCH_LIMITS, CLI } from './switchboard.js';
import { RawConn } from './raw-conn.js';
import type { OnSample, Publisher, Session, Subscriber, Target } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONTRACTS = join(ROOT, 'bench', 'contracts');
const NODES = 3;

export const switchboardCluster: Target = {
  id: 'switchboard-cluster',
  label: 'Switchboard 3 nodes, JetStream',
  isSwitchboard: true,
  acked: true,
  unavailable: () => {
    if (!existsSync(CLI)) return `${CLI} missing: run \`npm run build\` first`;
    return natsServerVersion() === null ? 'nats-server not found on PATH — `sudo apt-get install -y nats-server`' : undefined;
  },
  async start(tmp: string): Promise<Session> {
    const natsPort = await freePort();
    const sd = join(tmp, 'js');
    mkdirSync(sd, { recursive: true });
    const nats = await spawnServer({
      name: 'nats-server -js',
      cmd: 'nats-server',
      args: ['-js', '-a', '127.0.0.1', '-p', String(natsPort), '-sd', sd],
      ready: (out) => (/Server is ready/.test(out) ? natsPort : undefined),
    });
    const config = join(tmp, 'switchboard.yaml');
    writeFileSync(config, 'node_id: bench\n' + BENCH_LIMITS);
    const nodes: ServerHandle[] = [];
    try {
      for (let i = 0; i < NODES; i++) {
        nodes.push(
          await spawnServer({
            name: `switchboard node-${i + 1}`,
            cmd: process.execPath,
            args: [
              CLI,
              'start',
              '--host',
              '127.0.0.1',
              '--port',
              '0',
              '--dev',
              '--config',
              config,
              '--contracts',
              CONTRACTS,
              '--store',
              `nats://127.0.0.1:${natsPort}`,
              '--node-id',
              `node-${i + 1}`,
              '--log-level',
              'warn',
            ],
            ready: (out) => {
              const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
              return m ? Number(m[1]) : undefined;
            },
          }),
        );
      }
    } catch (err) {
      for (const n of nodes) await n.stop();
      await nats.stop();
      throw err;
    }
    const url = (i: number) => `ws://127.0.0.1:${nodes[i]!.port}/v1/ws`;
    const errors: string[] = [];
    const onErr = (e: string) => {
      if (errors.length < 20) errors.push(e);
    };
    const conns: RawConn[] = [];
    let subs = 0;
    let n = 0;
    return {
      server: nodes[1]!,
      errors: () => errors,
      async publisher(): Promise<Publisher> {
        const c = await RawConn.open(url(0), `bench-pub-${n++}`, onErr);
        conns.push(c);
        const prefix = '{"op":"pub","ch":"bench.dur","type":"b","data":';
        return {
          send: (payload) => c.ws.send(prefix + payload + '}'),
          sendAcked: (payload, done) => c.requestCb(prefix + payload + `,"id":${c.id}}`, (r) => done(r.op === 'ok' ? undefined : `${r.code}: ${r.message}`)),
          close: () => c.close(),
        };
      },
      async idle() {
        const c = await RawConn.open(url(n % NODES), `bench-idle-${n++}`, onErr);
        return () => c.ws.terminate();
      },
      async subscriber(_topic: string, on: OnSample): Promise<Subscriber> {
        const c = await RawConn.open(url(1 + (subs++ % (NODES - 1))), `bench-sub-${n++}`, onErr);
        conns.push(c);
        c.onMsg = (d) => on(d.n, d.t);
        const r = await c.request({ op: 'sub', ch: 'bench.dur', from: 'latest' });
        if (r.op !== 'ok') throw new Error(`sub refused: ${JSON.stringify(r)}`);
        return { close: () => c.close() };
      },
      async stop() {
        await Promise.all(conns.map((c) => c.close()));
        for (const node of nodes) await node.stop();
        await nats.stop();
      },
    };
  },
};

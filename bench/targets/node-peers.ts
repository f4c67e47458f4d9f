/** Client side of the two Node peers: the raw `ws` relay and Socket.IO rooms. */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { spawnServer, type ServerHandle } from '../lib/proc.js';
import type { DocClient, DocumentCapability, OnDocChange, OnSample, Publisher, Session, Subscriber, Target } from './types.js';

const PEERS = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers');
const listening = (out: string) => {
  const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
};

/**
 * Starts a peer server. It is bundled with esbuild (dependencies left external) into bench/out/peers first, so
 * that its start costs plain Node's, not a TypeScript loader's, in every run.
 */
function startNodePeer(name: string, file: string): Promise<ServerHandle> {
  const outfile = join(PEERS, '..', 'out', 'peers', file.replace(/\.ts$/, '.mjs'));
  buildSync({
    entryPoints: [join(PEERS, file)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return spawnServer({ name, cmd: process.execPath, args: [outfile], ready: listening });
}

function closeWs(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
    setTimeout(() => {
      ws.terminate();
      resolve();
    }, 1000).unref();
  });
}

export const wsRelay: Target = {
  id: 'ws',
  label: 'raw ws relay',
  isSwitchboard: false,
  acked: false,
  async start(): Promise<Session> {
    const server = await startNodePeer('ws-relay', 'ws-relay.ts');
    const url = `ws://127.0.0.1:${server.port}/`;
    const socks: WebSocket[] = [];
    const open = async () => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      socks.push(ws);
      return ws;
    };
    return {
      server,
      errors: () => [],
      async idle() {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        return () => ws.terminate();
      },
      async publisher(topic: string): Promise<Publisher> {
        const ws = await open();
        const prefix = `{"op":"pub","topic":"${topic}","data":`;
        return { send: (p) => ws.send(prefix + p + '}'), close: () => closeWs(ws) };
      },
      async subscriber(topic: string, on: OnSample): Promise<Subscriber> {
        const ws = await open();
        const ok = new Promise<void>((resolve) => ws.once('message', () => resolve()));
        ws.send(JSON.stringify({ op: 'sub', topic }));
        await ok;
        ws.on('message', (buf: Buffer) => {
          const f = JSON.parse(buf.toString()) as { data?: { n: number; t: number } };
          if (f.data) on(f.data.n, f.data.t);
        });
        return { close: () => closeWs(ws) };
      },
      async stop() {
        await Promise.all(socks.map(closeWs));
        await server.stop();
      },
    };
  },
};

export const socketIo: Target = {
  id: 'socketio',
  label: 'Socket.IO 4 rooms',
  isSwitchboard: false,
  acked: false,
  async start(): Promise<Session> {
    const server = await startNodePeer('socketio', 'socketio-server.ts');
    const url = `http://127.0.0.1:${server.port}`;
    const socks: Socket[] = [];
    const open = async () => {
      // perMessageDeflate: the server refuses it, so the negotiated connection is uncompressed
      const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', reject);
      });
      socks.push(s);
      return s;
    };
    const documents: DocumentCapability = {
      async init(doc, questions) {
        const s = await open();
        const value = { questions: Object.fromEntries(questions.map((q) => [q, { votes: 0 }])) };
        await s.emitWithAck('doc.create', doc, value);
      },
      async open(doc: string, _index: number, onChange: OnDocChange): Promise<DocClient> {
        const s = await open();
        s.on('doc.patch', (p: { version: number; t: number }) => onChange(p.version, p.t));
        await s.emitWithAck('doc.sub', doc);
        return {
          vote(question, t, done) {
            s.emit('doc.inc', doc, question, t, (r: { error?: string }) => done(r.error));
          },
          close: async () => {
            s.disconnect();
          },
        };
      },
      async totalVotes(doc) {
        const s = await open();
        const r = (await s.emitWithAck('doc.sub', doc)) as { value: { questions: Record<string, { votes: number }> } };
        s.disconnect();
        return Object.values(r.value.questions).reduce((sum, q) => sum + q.votes, 0);
      },
    };
    return {
      server,
      errors: () => [],
      documents,
      async idle() {
        const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          s.once('connect', resolve);
          s.once('connect_error', reject);
        });
        return () => {
          s.io.engine?.close();
          s.disconnect();
        };
      },
      async publisher(topic: string): Promise<Publisher> {
        const s = await open();
        return {
          send: (p) => {
            s.emit('pub', topic, p);
          },
          close: async () => {
            s.disconnect();
          },
        };
      },
      async subscriber(topic: string, on: OnSample): Promise<Subscriber> {
        const s = await open();
        s.on('m', (p: string) => {
          const o = JSON.parse(p) as { n: number; t: number };
          on(o.n, o.t);
        });
        await new Promise<void>((resolve) => s.emit('sub', topic, () => resolve()));
        return {
          close: async () => {
            s.disconnect();
          },
        };
      },
      async stop() {
        for (const s of socks) s.disconnect();
        await server.stop();
      },
    };
  },
};

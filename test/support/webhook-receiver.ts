// A real HTTP server standing for a webhook's receiver (a payment or notification service): it records every
// request it gets (headers, body as sent, time) and answers as the test says.
import { after, before } from 'node:test';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request the receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent. */
  body: string;
  /** `Date.now()` when it arrived. */
  at: number;
}

/** How the receiver answers: a status (with headers and body), or `hang` (never answers until closed). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT/hook` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Sets how the next requests are answered (`n`: 1 for the first request the receiver ever got). Default 200. */
  answer(fn: (req: ReceivedRequest, n: number) => ReceiverAnswer | Promise<ReceiverAnswer>): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1 (or on `port`). */
export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let answer: (req: ReceivedRequest, n: number) => ReceiverAnswer | Promise<ReceiverAnswer> = () => ({ status: 200 });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(r);
      void Promise.resolve(answer(r, requests.length)).then((a) => {
        if (a === 'hang') return;
        res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
        res.end(a.body ?? '{}');
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    requests,
    answer(fn) {
      answer = fn;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `text` as a switchboard.yaml in a new temporary directory; resolves with its path. */
export function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-webhook-config-')), 'switchboard.yaml');
  writeFileSync(file, text);
  return file;
}

/** A Standard Webhooks secret for tests (`whsec_` + base64 of 32 bytes). */
export function testSecret(seed: number): string {
  return 'whsec_' + Buffer.alloc(32, seed).toString('base64');
}

/**
 * Starts one receiver per name in a `before` hook (call it before `useHub`, whose config names their URLs) and
 * closes them in an `after` hook; the record is filled when the hook has run.
 */
export function useReceivers<K extends string>(...names: K[]): Record<K, WebhookReceiver> {
  const receivers = {} as Record<K, WebhookReceiver>;
  before(async () => {
    for (const n of names) receivers[n] = await startReceiver();
  });
  after(async () => {
    for (const n of names) await receivers[n]?.close();
  });
  return receivers;
}

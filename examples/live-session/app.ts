// The parts of the live-session example a script or a test starts: the app's build (Vite), its server (the built
// files and /config.json), the hub's configuration (inbound payments webhook, outbound notification webhook) and a
// local payment provider that signs its events the way Stripe does.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const CONTRACTS = join(HERE, 'contracts');

/** Builds the app (web/) with Vite into `outDir` (default dist/); resolves with the folder. */
export async function buildApp(outDir = join(HERE, 'dist')): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(HERE, 'vite.config.mjs'), build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
  return outDir;
}

/** What the page reads from /config.json. */
export interface AppConfig {
  hubUrl: string;
  session: string;
  providerUrl?: string;
}

/** A running HTTP server. */
export interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves the built app from `dist`: any path without a file extension is the page (`/`, `/presenter`). */
export async function startAppServer(opts: { dist: string; config: AppConfig; port?: number }): Promise<Running> {
  const index = readFileSync(join(opts.dist, 'index.html'));
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(opts.config));
      return;
    }
    if (!extname(path)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(index);
      return;
    }
    const file = normalize(join(opts.dist, path));
    if (!file.startsWith(opts.dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return { url: await listen(server, opts.port ?? 0), close: closer(server) };
}

/** Secrets of one run: the provider's signing secret (Stripe's `whsec_…`) and the notification webhook's. */
export interface Secrets {
  stripe: string;
  notify: string;
}

export function newSecrets(): Secrets {
  return { stripe: 'whsec_' + randomBytes(24).toString('hex'), notify: 'whsec_' + randomBytes(32).toString('base64') };
}

/**
 * Writes the hub's switchboard.yaml for the example: payments come in at `POST /v1/hooks/payments` (Stripe
 * signatures) onto `live.payments`; `live.notifications` goes out to `notifyUrl` (a local service, so private
 * networks are allowed). Resolves with the file's path.
 */
export function writeHubConfig(opts: { secrets: Secrets; notifyUrl: string; dir?: string }): string {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'live-session-'));
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(
    file,
    [
      '# A run of patches to 250 pages (a room voting) is compressed once and sent to all: about 14 times fewer bytes.',
      'compression: true',
      'inbound_webhooks:',
      '  payments:',
      '    channel: live.payments',
      '    verify: stripe',
      `    secret: ${opts.secrets.stripe}`,
      '    type_field: type',
      'webhooks:',
      '  notify:',
      `    url: ${opts.notifyUrl}`,
      '    channels: [live.notifications]',
      `    secret: ${opts.secrets.notify}`,
      '    retry_schedule: [1s, 5s, 30s]',
      '    allow_private_networks: true',
      '',
    ].join('\n'),
  );
  return file;
}

/** A checkout as the page asks for it. */
export interface Checkout {
  session: string;
  attendee_id: string;
  attendee_name: string;
  amount: number;
  currency: string;
}

/**
 * A payment provider standing in for Stripe: `POST /checkout` (from the attendee's page, CORS allowed) completes a
 * checkout at once and sends a `checkout.session.completed` event to `hookUrl`, signed with `secret` as Stripe signs
 * (`Stripe-Signature: t=…,v1=<hex HMAC-SHA256 of "{t}.{body}">`). It answers the page with what the hub answered.
 */
export async function startPaymentProvider(opts: {
  hookUrl: string;
  secret: string;
  port?: number;
}): Promise<Running & { checkoutUrl: string; sent: string[] }> {
  const sent: string[] = [];
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => {
      void (async () => {
        let c: Checkout;
        try {
          c = JSON.parse(body) as Checkout;
        } catch {
          res.writeHead(400, cors).end('{"error":"the body must be JSON"}');
          return;
        }
        const answer = await sendCheckoutCompleted(opts.hookUrl, opts.secret, c);
        sent.push(answer.body);
        res.writeHead(answer.status < 300 ? 200 : 502, { ...cors, 'content-type': 'application/json' }).end(answer.body);
      })().catch((err: Error) => res.writeHead(502, cors).end(JSON.stringify({ error: err.message })));
    });
  });
  const url = await listen(server, opts.port ?? 0);
  return { url, checkoutUrl: `${url}/checkout`, sent, close: closer(server) };
}

/** Sends one signed `checkout.session.completed` event to the hub; resolves with the hub's answer. */
export async function sendCheckoutCompleted(hookUrl: string, secret: string, c: Checkout): Promise<{ status: number; body: string }> {
  const created = Math.floor(Date.now() / 1000);
  const event = {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type: 'checkout.session.completed',
    created,
    data: {
      object: {
        id: `cs_${randomBytes(12).toString('hex')}`,
        object: 'checkout.session',
        amount_total: c.amount,
        currency: c.currency,
        payment_status: 'paid',
        metadata: { session: c.session, attendee_id: c.attendee_id, attendee_name: c.attendee_name },
      },
    },
  };
  const body = JSON.stringify(event);
  const v1 = createHmac('sha256', secret).update(`${created}.${body}`).digest('hex');
  const res = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': `t=${created},v1=${v1}` }, body });
  return { status: res.status, body: await res.text() };
}

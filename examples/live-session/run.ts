// One command for the live-session example (`npm run example:live`): builds the app, starts a hub with the
// example's contracts and webhooks, a local payment provider and notification service, and the app server, then
// prints the two URLs to open. Ctrl-C stops everything.
//
//   npm run example:live [-- --port 5180 --hub-port 7700 --session demo]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { buildApp, CONTRACTS, HERE, newSecrets, startAppServer, startPaymentProvider, writeHubConfig } from './app.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5180' },
    'hub-port': { type: 'string', default: '7700' },
    session: { type: 'string', default: 'demo' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('Usage: npm run example:live [-- --port 5180 --hub-port 7700 --session demo]   (0: any free port)');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'live-session-'));
const secrets = newSecrets();

// The notification service: verifies each webhook (Standard Webhooks) and prints the answered question.
const verifier = new Webhook(secrets.notify);
const notifier = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    try {
      const msg = verifier.verify(body, req.headers as Record<string, string>) as { data: { text: string; votes: number; author: string } };
      console.log(`notification: answered "${msg.data.text}" (${msg.data.author}, ${msg.data.votes} votes)`);
      res.writeHead(204).end();
    } catch {
      res.writeHead(401).end();
    }
  });
});
await new Promise<void>((resolve) => notifier.listen(0, '127.0.0.1', resolve));
const notifyUrl = `http://127.0.0.1:${(notifier.address() as AddressInfo).port}/notify`;

console.log('building the app (Vite) …');
const dist = await buildApp();

const cli = join(HERE, '..', '..', 'packages', 'cli', 'dist', 'bin.js');
const config = writeHubConfig({ secrets, notifyUrl, dir });
const hub = spawn(
  process.execPath,
  [cli, 'start', '--port', values['hub-port'], '--dev', '--data', join(dir, 'data'), '--contracts', CONTRACTS, '--config', config],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SWITCHBOARD_LOG_LEVEL: process.env.SWITCHBOARD_LOG_LEVEL ?? 'warn' } },
);
const hubUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  hub.stdout.on('data', (b: Buffer) => {
    out += b;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  hub.once('exit', (code) => reject(new Error(`the hub exited with ${code}:\n${out}`)));
});
const provider = await startPaymentProvider({ hookUrl: `${hubUrl}/v1/hooks/payments`, secret: secrets.stripe });
const app = await startAppServer({
  dist,
  port: Number(values.port),
  config: { hubUrl: hubUrl.replace(/^http/, 'ws') + '/v1/ws', session: values.session, providerUrl: provider.checkoutUrl },
});

console.log(`
Live session "${values.session}" is running.
  presenter:  ${app.url}/presenter
  attendees:  ${app.url}/            (open it in several windows; each asks a name)

  hub:        ${hubUrl}   (its dashboard: ${hubUrl}/)
  payments:   the "Support" button pays at ${provider.checkoutUrl}, which signs a Stripe event to ${hubUrl}/v1/hooks/payments
  answered:   notifications arrive at ${notifyUrl} and are printed here
Ctrl-C stops everything.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([app.close(), provider.close(), new Promise<void>((r) => notifier.close(() => r()))]);
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
hub.on('exit', (code) => {
  if (!stopping) {
    console.error(`the hub exited (${code})`);
    process.exit(1);
  }
});

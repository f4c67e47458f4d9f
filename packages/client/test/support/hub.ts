import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { CLI, startHub, type HubProcess, type HubProcessOptions } from '../../../../test/support/hub-process.js';
import type { ConnectionState, SwitchboardClient } from '../../src/index.js';
import { waitFor } from './wait.js';

export type { HubProcess };

/** `false` when the hub CLI is built, else the reason to skip the tests that need a real hub. */
export const NO_HUB: false | string = existsSync(CLI) ? false : `the hub CLI is not built (${CLI}); run \`npm run build\` first`;

/** A live hub for one test, stopped and removed when the test ends. `current()` follows restarts. */
export async function hubFor(t: { after(fn: () => unknown): void }, options: HubProcessOptions = {}): Promise<HubRef> {
  const ref = new HubRef(await startHub(options));
  t.after(() => ref.current.cleanup());
  return ref;
}

/** A hub process that may be restarted (the restarted process is a new object). */
export class HubRef {
  constructor(public current: HubProcess) {}
  get wsUrl(): string { return this.current.wsUrl; }
  get url(): string { return this.current.url; }
  async restart(): Promise<void> { this.current = await this.current.restart(); }
}

/** Every stored message of `ch`, read with `GET /v1/channels/{ch}/messages`, page by page. */
export async function history(baseUrl: string, ch: string): Promise<any[]> {
  const out: any[] = [];
  let from = 0;
  for (;;) {
    const res = await fetch(`${baseUrl}/v1/channels/${encodeURIComponent(ch)}/messages?from=${from}&limit=1000`);
    if (!res.ok) throw new Error(`GET messages of ${ch}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { messages: any[]; next: number };
    out.push(...body.messages);
    if (body.messages.length === 0 || body.next === from) return out;
    from = body.next;
  }
}

/** A port nothing listens on (bound and released). */
export async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * Freezes the hub (SIGSTOP) and checks that client `c` declares the connection dead within
 * [`minMs`, 1500 ms), then thaws it and checks that `c` reconnects, with exactly the states reconnecting → connected.
 */
export async function assertFrozenHubDetected(
  t: { after(fn: () => unknown): void },
  hub: HubRef,
  c: SwitchboardClient,
  minMs: number,
): Promise<void> {
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  hub.current.child.kill('SIGSTOP');
  t.after(() => { hub.current.child.kill('SIGCONT'); });
  const t0 = Date.now();
  await waitFor(() => c.state === 'reconnecting', 'dead connection detected', 3000);
  const took = Date.now() - t0;
  assert.ok(took >= minMs && took < 1500, `detected after ${took} ms`);
  hub.current.child.kill('SIGCONT');
  await waitFor(() => c.state === 'connected', 'reconnected', 10_000);
  assert.deepEqual(states, ['reconnecting', 'connected']);
}

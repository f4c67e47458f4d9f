import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { startHubInProcess, type InProcessHub } from '../../../../test/support/hub-in-process.js';
import { CLI, startHub, type HubProcess, type HubProcessOptions } from '../../../../test/support/hub-process.js';
import type { TestHub, TestHubOptions } from '../../../../test/support/test-hub.js';
import { waitFor } from '../../../../test/support/util.js';
import type { ConnectionState, SwitchboardClient } from '../../src/index.js';
import type { Envelope } from '@switchboard/protocol';

export type { HubProcess, InProcessHub };

/** `false` when the hub CLI is built, else the reason to skip the tests that need a real hub. */
export const NO_HUB: false | string = existsSync(CLI) ? false : `the hub CLI is not built (${CLI}); run \`npm run build\` first`;

/** A live hub in the test process for one test, stopped and removed when the test ends. `current` follows restarts. */
export async function hubFor(t: { after(fn: () => unknown): void }, options: TestHubOptions = {}): Promise<HubRef<InProcessHub>> {
  const ref = new HubRef(await startHubInProcess(options));
  t.after(() => ref.current.cleanup());
  return ref;
}

/**
 * Like {@link hubFor}, with the hub as a `switchboard start` process: for tests that kill it (kill -9) or freeze it
 * (SIGSTOP), which a hub in the test process cannot undergo.
 */
export async function hubProcessFor(t: { after(fn: () => unknown): void }, options: HubProcessOptions = {}): Promise<HubRef<HubProcess>> {
  const ref = new HubRef(await startHub(options));
  t.after(() => ref.current.cleanup());
  return ref;
}

/** A hub that may be restarted (the restarted hub is a new object). */
export class HubRef<H extends TestHub = InProcessHub> {
  constructor(public current: H) {}
  get wsUrl(): string {
    return this.current.wsUrl;
  }
  get url(): string {
    return this.current.url;
  }
  async restart(): Promise<void> {
    this.current = (await this.current.restart()) as H;
  }
}

/** Every stored message of `ch`, read with `GET /v1/channels/{ch}/messages`, page by page; `E` is the envelope expected (not checked). */
export async function history<E extends Envelope = Envelope>(baseUrl: string, ch: string): Promise<E[]> {
  const out: E[] = [];
  let from = 0;
  for (;;) {
    const res = await fetch(`${baseUrl}/v1/channels/${encodeURIComponent(ch)}/messages?from=${from}&limit=1000`);
    if (!res.ok) throw new Error(`GET messages of ${ch}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { messages: E[]; next: number };
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
  hub: HubRef<HubProcess>,
  c: SwitchboardClient,
  minMs: number,
): Promise<void> {
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  hub.current.child.kill('SIGSTOP');
  t.after(() => {
    hub.current.child.kill('SIGCONT');
  });
  const t0 = Date.now();
  await waitFor(() => c.state === 'reconnecting', 'dead connection detected', 3000);
  const took = Date.now() - t0;
  assert.ok(took >= minMs && took < 1500, `detected after ${took} ms`);
  hub.current.child.kill('SIGCONT');
  await waitFor(() => c.state === 'connected', 'reconnected', 10_000);
  assert.deepEqual(states, ['reconnecting', 'connected']);
}

// A contract directory for reload tests: market.ticks with `venue` required or not, and a set that loads but
// fails `contracts check`; with the two HTTP calls those tests make.
import { after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContractProblem } from '@switchboard/contracts';
import type { ReloadResult } from '@switchboard/hub';
import type { ErrorBody } from './http-bodies.js';

/** A contract for market.ticks; `venue` required or not. */
export function ticks(venueRequired: boolean): string {
  return `asyncapi: 3.0.0
info: { title: market, version: 1.0.0 }
channels:
  ticks:
    address: market.ticks
    messages:
      tick:
        payload:
          type: object
          required: [symbol${venueRequired ? ', venue' : ''}]
          properties: { symbol: { type: string }, venue: { type: string } }
operations:
  sendTicks:
    action: send
    channel: { $ref: '#/channels/ticks' }
    messages: [{ $ref: '#/channels/ticks/messages/tick' }]
`;
}

/** A contract that loads, but fails `contracts check`: the operation lists a message of another channel. */
export const MISPLACED = ticks(false)
  .replace("channel: { $ref: '#/channels/ticks' }", "channel: { $ref: '#/channels/other' }")
  .replace(
    'operations:',
    `  other:
    address: market.other
    messages:
      note: { payload: { type: string } }
operations:`,
  );

/** A temp directory (removed after the file) holding market.yaml, first `ticks(venueRequired)`; `write` replaces it. */
export function contractsDir(venueRequired = false): { dir: string; write(text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-reload-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, 'market.yaml'), text);
  write(ticks(venueRequired));
  return { dir, write };
}

/** The answer of a `POST /v1/contracts/reload` that swapped the contracts. */
export type Reloaded = ReloadResult & { reloaded: true };

/** The answer of a `POST /v1/contracts/reload` refused because of the new contracts: each problem found. */
export interface ReloadRefused extends ErrorBody {
  details: ContractProblem[];
}

/** POSTs to `path` of the hub at `url`; resolves with the status and the JSON body (`B`, the body expected; not checked). */
export async function post<B = ErrorBody>(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: B }> {
  const res = await fetch(url + path, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as B };
}

/** Publishes a `tick` with `data` to market.ticks over HTTP; resolves with the status and the JSON body (`B`, the body expected). */
export async function publish<B = ErrorBody>(url: string, data: unknown): Promise<{ status: number; body: B }> {
  const res = await fetch(`${url}/v1/channels/market.ticks/messages`, { method: 'POST', body: JSON.stringify({ type: 'tick', data }) });
  return { status: res.status, body: (await res.json()) as B };
}

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { eventually } from '../../../test/support/util.js';

/** A contract for market.ticks; `venue` required or not. */
function ticks(venueRequired: boolean): string {
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

/** Loads, but fails `contracts check`: the operation lists a message of another channel. */
const MISPLACED = ticks(false).replace("channel: { $ref: '#/channels/ticks' }", "channel: { $ref: '#/channels/other' }").replace('operations:', `  other:
    address: market.other
    messages:
      note: { payload: { type: string } }
operations:`);

function contractsDir(): { dir: string; write(text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-reload-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, 'market.yaml'), text);
  write(ticks(false));
  return { dir, write };
}

async function post(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, { method: 'POST', headers });
  return { status: res.status, body: await res.json() };
}

async function publish(url: string, data: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/channels/market.ticks/messages`, { method: 'POST', body: JSON.stringify({ type: 'tick', data }) });
  return { status: res.status, body: await res.json() };
}

describe('contract reload (dev mode)', () => {
  const contracts = contractsDir();
  const fx = useHub({ contracts: contracts.dir });

  it('a valid reload over HTTP changes what is refused', async () => {
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);
    contracts.write(ticks(true));
    const r = await post(fx.hub.url, '/v1/contracts/reload');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reloaded, true);
    assert.equal(r.body.channels, 1);
    assert.equal(r.body.messageTypes, 1);
    const refused = await publish(fx.hub.url, { symbol: 'EURUSD' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'CONTRACT_VIOLATION');
    assert.match(refused.body.message, /\/venue is required/);
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD', venue: 'LSE' })).status, 201);
  });

  it('a reload that fails the checks is refused with the file, pointer and fix, and changes nothing', async () => {
    contracts.write(MISPLACED);
    const r = await post(fx.hub.url, '/v1/contracts/reload');
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'CONTRACT_VIOLATION');
    assert.match(r.body.message, /^the contracts were not reloaded, the current ones stay: .*market\.yaml:\d+:\d+ at #\/operations\/sendTicks\/messages\/0\/\$ref: .*Fix: /);
    assert.equal(r.body.details[0].pointer, '/operations/sendTicks/messages/0/$ref');
    assert.match(r.body.details[0].file, /market\.yaml$/);
    assert.match(r.body.details[0].fix, /point the \$ref at one of the channel's messages/);
    // Still the previous contracts: venue required, market.other unknown to them.
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 422);
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD', venue: 'LSE' })).status, 201);

    contracts.write(ticks(false).replace('action: send', 'action: publish'));
    const structure = await post(fx.hub.url, '/v1/contracts/reload');
    assert.equal(structure.status, 422, 'checked against the official AsyncAPI 3 JSON Schema');
    assert.equal(structure.body.details[0].pointer, '/operations/sendTicks/action');
    assert.match(structure.body.details[0].fix, /use one of "send", "receive"/);

    contracts.write('asyncapi: 3.0.0\nchannels: [broken');
    const syntax = await post(fx.hub.url, '/v1/contracts/reload');
    assert.equal(syntax.status, 422);
    assert.match(syntax.body.details[0].problem, /invalid YAML/);
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 422);
  });

  it('SIGHUP reloads the contracts, and refuses a broken set the same way', async () => {
    contracts.write(ticks(false));
    fx.hub.child.kill('SIGHUP');
    assert.ok(await eventually(() => /reloaded the contracts \(SIGHUP\): 1 channel\(s\)/.test(fx.hub.output()), 20_000), fx.hub.output());
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);

    contracts.write(MISPLACED);
    fx.hub.child.kill('SIGHUP');
    assert.ok(await eventually(() => /contract reload \(SIGHUP\) refused: the contracts were not reloaded/.test(fx.hub.output()), 20_000), fx.hub.output());
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 422, 'still broken on disk');
  });

  it('GET is not a reload', async () => {
    const res = await fetch(`${fx.hub.url}/v1/contracts/reload`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});

describe('contract reload (tokens)', () => {
  const SECRET = 'a-test-secret-of-reasonable-length-0123456789';
  const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  const contracts = contractsDir();
  const fx = useHub({ contracts: contracts.dir, dev: false, args: ['--token-secret', SECRET], env: { SWITCHBOARD_DEV: '' } });

  it('needs a token with "sb.admin": true', async () => {
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 401);
    const plain = await post(fx.hub.url, '/v1/contracts/reload', { authorization: `Bearer ${await sign({ sub: 'ci' })}` });
    assert.equal(plain.status, 403);
    assert.equal(plain.body.code, 'FORBIDDEN');
    assert.match(plain.body.message, /"sb\.admin": true/);
    const admin = await post(fx.hub.url, '/v1/contracts/reload', { authorization: `Bearer ${await sign({ sub: 'ops', 'sb.admin': true })}` });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
  });
});

describe('contract reload without --contracts', () => {
  const fx = useHub();
  it('answers 404 NOT_FOUND: nothing to reload', async () => {
    const r = await post(fx.hub.url, '/v1/contracts/reload');
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'NOT_FOUND');
    assert.match(r.body.message, /started without a contracts directory/);
  });
});

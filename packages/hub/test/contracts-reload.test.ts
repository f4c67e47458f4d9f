import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { contractsDir, MISPLACED, post, publish, ticks, type Reloaded, type ReloadRefused } from '../../../test/support/reload-contracts.js';

describe('contract reload (dev mode)', () => {
  const contracts = contractsDir();
  const fx = useHub({ contracts: contracts.dir });

  it('a valid reload over HTTP changes what is refused', async () => {
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);
    contracts.write(ticks(true));
    const r = await post<Reloaded>(fx.hub.url, '/v1/contracts/reload');
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
    const r = await post<ReloadRefused>(fx.hub.url, '/v1/contracts/reload');
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'CONTRACT_VIOLATION');
    assert.match(
      r.body.message,
      /^the contracts were not reloaded, the current ones stay: .*market\.yaml:\d+:\d+ at #\/operations\/sendTicks\/messages\/0\/\$ref: .*Fix: /,
    );
    assert.equal(r.body.details[0].pointer, '/operations/sendTicks/messages/0/$ref');
    assert.match(r.body.details[0].file, /market\.yaml$/);
    assert.match(r.body.details[0].fix, /point the \$ref at one of the channel's messages/);
    // Still the previous contracts: venue required, market.other unknown to them.
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 422);
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD', venue: 'LSE' })).status, 201);

    contracts.write(ticks(false).replace('action: send', 'action: publish'));
    const structure = await post<ReloadRefused>(fx.hub.url, '/v1/contracts/reload');
    assert.equal(structure.status, 422, 'checked against the official AsyncAPI 3 JSON Schema');
    assert.equal(structure.body.details[0].pointer, '/operations/sendTicks/action');
    assert.match(structure.body.details[0].fix, /use one of "send", "receive"/);

    contracts.write('asyncapi: 3.0.0\nchannels: [broken');
    const syntax = await post<ReloadRefused>(fx.hub.url, '/v1/contracts/reload');
    assert.equal(syntax.status, 422);
    assert.match(syntax.body.details[0].problem, /invalid YAML/);
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 422);
  });

  it('GET is not a reload', async () => {
    const res = await fetch(`${fx.hub.url}/v1/contracts/reload`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});

describe('contract reload (tokens)', () => {
  const SECRET = 'a-test-secret-of-reasonable-length-0123456789';
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  const contracts = contractsDir();
  const fx = useHub({ contracts: contracts.dir, dev: false, tokenSecret: SECRET });

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

// The sb.req claim: the components a token may send requests to. A refused request names the patterns it has,
// reaches no responder, and the connection goes on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';

const SECRET = 'sb-req-test-secret-0123456789-abcdefgh';
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

describe('sb.req', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });

  it('lets a token request only the components its patterns match; FORBIDDEN names the patterns', async () => {
    const pricing = await fx.open();
    assert.equal((await pricing.call({ op: 'hello', token: await sign({ sub: 'svc.pricing' }) })).op, 'welcome');
    const audit = await fx.open();
    assert.equal((await audit.call({ op: 'hello', token: await sign({ sub: 'audit' }) })).op, 'welcome');
    const served: string[] = [];
    for (const [c, name] of [
      [pricing, 'svc.pricing'],
      [audit, 'audit'],
    ] as const) {
      c.tap(
        (f) => f.op === 'req',
        (f) => {
          served.push(name);
          c.send({ op: 'reply', rid: f.rid, data: { from: name } });
        },
      );
    }
    const caller = await fx.open();
    assert.equal((await caller.call({ op: 'hello', token: await sign({ sub: 'ui', 'sb.req': ['svc.>'] }) })).op, 'welcome');
    const ok = await caller.call({ op: 'req', to: 'svc.pricing', type: 'quote', data: {} });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    assert.deepEqual(ok.data, { from: 'svc.pricing' });
    const refused = await caller.call({ op: 'req', to: 'audit', type: 'quote', data: {} });
    assert.equal(refused.code, 'FORBIDDEN');
    assert.match(refused.message, /may not send requests to "audit"; its token's sb.req allows: svc\.>/);
    assert.deepEqual(served, ['svc.pricing'], 'the refused request reached no responder');

    const none = await fx.open();
    assert.equal((await none.call({ op: 'hello', token: await sign({ sub: 'batch', 'sb.req': [] }) })).op, 'welcome');
    assert.match((await none.call({ op: 'req', to: 'svc.pricing', type: 'q', data: {} })).message, /allows: nothing/);

    const any = await fx.open();
    assert.equal((await any.call({ op: 'hello', token: await sign({ sub: 'ops' }) })).op, 'welcome');
    assert.equal((await any.call({ op: 'req', to: 'audit', type: 'q', data: {} })).op, 'ok', 'without sb.req any component');
  });

  it('applies a refreshed sb.req from the next request', async () => {
    const responder = await fx.open();
    assert.equal((await responder.call({ op: 'hello', token: await sign({ sub: 'ledger' }) })).op, 'welcome');
    responder.tap(
      (f) => f.op === 'req',
      (f) => responder.send({ op: 'reply', rid: f.rid, data: 1 }),
    );
    const c = await fx.open();
    assert.equal((await c.call({ op: 'hello', token: await sign({ sub: 'web', 'sb.req': ['ledger'] }) })).op, 'welcome');
    assert.equal((await c.call({ op: 'req', to: 'ledger', type: 'q', data: {} })).op, 'ok');
    assert.equal((await c.call({ op: 'refresh', token: await sign({ sub: 'web', 'sb.req': ['cache'] }) })).op, 'ok');
    assert.equal((await c.call({ op: 'req', to: 'ledger', type: 'q', data: {} })).code, 'FORBIDDEN');
  });
});

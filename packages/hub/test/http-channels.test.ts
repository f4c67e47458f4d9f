import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import type { ChannelsBody, ErrorBody } from '../../../test/support/http-bodies.js';

const SECRET = 'a-test-secret-of-reasonable-length-0123456789';

function sign(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
}

describe('GET /v1/channels', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });
  /** `GET /v1/channels`; `B` is the body expected (the listing, or an `ErrorBody` when refused). */
  const list = async <B = ChannelsBody>(token?: string): Promise<{ status: number; body: B }> => {
    const res = await fetch(`${fx.hub.url}/v1/channels`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as B };
  };

  before(async () => {
    const admin = await sign({ sub: 'ops' });
    const post = (ch: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          fetch(`${fx.hub.url}/v1/channels/${ch}/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${admin}` },
            body: JSON.stringify({ type: 't', data: {} }),
          }).then((r) => assert.equal(r.status, 201)),
        ),
      );
    await post('market.ticks', 3);
    await post('orders.created', 2);
    const engine = await fx.open();
    assert.equal((await engine.call({ op: 'hello', token: await sign({ sub: 'core-engine' }) })).op, 'welcome');
    await subscribe(engine, { ch: 'market.ticks', group: 'engine', ack: 'manual' });
    const second = await fx.open();
    assert.equal((await second.call({ op: 'hello', token: await sign({ sub: 'core-engine' }) })).op, 'welcome');
    await subscribe(second, { ch: 'market.ticks', group: 'engine', ack: 'manual' });
    const audit = await fx.open();
    assert.equal((await audit.call({ op: 'hello', token: await sign({ sub: 'auditor' }) })).op, 'welcome');
    await subscribe(audit, { ch: 'market.>' });
  });

  it('lists every stored channel with its head and the live subscriptions covering it', async () => {
    const { status, body } = await list(await sign({ sub: 'ci' }));
    assert.equal(status, 200);
    assert.deepEqual(body.channels, [
      {
        ch: 'market.ticks',
        head: 3,
        first: 1,
        count: 3,
        subscribers: [
          { component: 'core-engine', pattern: 'market.ticks', group: 'engine', ack: 'manual', connections: 2 },
          { component: 'auditor', pattern: 'market.>', ack: 'auto', connections: 1 },
        ],
      },
      { ch: 'orders.created', head: 2, first: 1, count: 2, subscribers: [] },
    ]);
  });

  it('lists only the channels the token may read (sb.sub)', async () => {
    const { body } = await list(await sign({ sub: 'ci', 'sb.sub': ['orders.>'] }));
    assert.deepEqual(
      body.channels.map((c) => c.ch),
      ['orders.created'],
    );
  });

  it('needs a token (401) and answers 405 to other methods', async () => {
    const anonymous = await list<ErrorBody>();
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHENTICATED');
    const res = await fetch(`${fx.hub.url}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${await sign({ sub: 'ci' })}` } });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
  });
});

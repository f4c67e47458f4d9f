// The rollout admin API: only admins may use it (401 without a token, 403 without "sb.admin"); a bad request is
// refused with BAD_FRAME saying which field to change; the defaults are those documented; a second rollout on a busy
// group is a CONFLICT; pause, resume and abort move the state as documented, and an unknown rollout is NOT_FOUND.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';

const SECRET = 'a-rollout-test-secret-of-reasonable-length-7';
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: string; message?: string };
}

describe('rollout admin API', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(fx.hub.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }

  it('is for admins only', async () => {
    const user = await sign({ sub: 'shop' });
    for (const [method, path] of [
      ['GET', '/v1/admin/rollouts'],
      ['POST', '/v1/admin/rollouts'],
      ['GET', '/v1/admin/rollouts/0a1b2c'],
      ['POST', '/v1/admin/rollouts/0a1b2c/abort'],
    ] as const) {
      assert.equal((await call(method, path, method === 'POST' ? {} : undefined)).status, 401, `${method} ${path} without a token`);
      const forbidden = await call(method, path, method === 'POST' ? {} : undefined, user);
      assert.equal(forbidden.status, 403, `${method} ${path} without sb.admin`);
      assert.match(forbidden.body.message ?? '', /sb\.admin/);
    }
  });

  it('refuses bad requests saying what to change, and fills in the defaults', async () => {
    const token = await sign({ sub: 'ops', 'sb.admin': true });
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ channel: 'a', group: 'g' }, /"version" must be a non-empty string/],
      [{ channel: 'a', group: 'g', version: '2', steps: [50, 25, 100] }, /"steps" must be 1 to 20 rising/],
      [{ channel: 'a', group: 'g', version: '2', steps: [5, 50] }, /must end with 100/],
      [{ channel: 'a', group: 'g', version: '2', hold: 'soon' }, /"hold" must be a duration/],
      [{ channel: 'a', group: 'g', version: '2', max_error_rate: 5 }, /"max_error_rate" must be a number from 0 to 1/],
      [{ channel: 'a', group: 'g', version: '2', min_samples: 0 }, /"min_samples" must be a whole number/],
      [{ channel: 'a', group: 'g', version: '2', weight: 5 }, /unknown field "weight"/],
      [{ channel: '$sys.alerts', group: 'g', version: '2' }, /hub channel/],
    ];
    for (const [body, message] of cases) {
      const r = await call('POST', '/v1/admin/rollouts', body, token);
      assert.deepEqual([r.status, r.body.code], [400, 'BAD_FRAME'], JSON.stringify(body));
      assert.match(r.body.message ?? '', message);
    }
    const created = await call('POST', '/v1/admin/rollouts', { channel: 'orders', group: 'billing', version: '2.0.0' }, token);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const b = created.body;
    assert.deepEqual(
      [b.state, b.step, b.weight, b.steps, b.hold, b.window, b.max_error_rate, b.max_latency_p95, b.min_samples, b.created_by],
      ['running', 1, 5, [5, 25, 50, 100], '2m', '1m', 0.05, '2s', 100, 'ops'],
    );
    assert.equal(typeof b.id, 'string');

    const again = await call('POST', '/v1/admin/rollouts', { channel: 'orders', group: 'billing', version: '2.0.1' }, token);
    assert.deepEqual([again.status, again.body.code], [409, 'CONFLICT']);
    assert.match(again.body.message ?? '', new RegExp(`rollout ${String(b.id)} is running`));

    const id = String(b.id);
    const paused = await call('POST', `/v1/admin/rollouts/${id}/pause`, {}, token);
    assert.deepEqual([paused.status, paused.body.state, paused.body.weight], [200, 'paused', 5]);
    assert.equal((await call('POST', `/v1/admin/rollouts/${id}/pause`, {}, token)).status, 409, 'pause a paused rollout');
    const resumed = await call('POST', `/v1/admin/rollouts/${id}/resume`, {}, token);
    assert.deepEqual([resumed.status, resumed.body.state], [200, 'running']);
    const aborted = await call('POST', `/v1/admin/rollouts/${id}/abort`, {}, token);
    assert.deepEqual([aborted.status, aborted.body.state, aborted.body.weight, aborted.body.reason], [200, 'aborted', 0, 'aborted by ops']);
    const promote = await call('POST', `/v1/admin/rollouts/${id}/promote`, {}, token);
    assert.deepEqual([promote.status, promote.body.code], [409, 'CONFLICT']);

    const list = await call('GET', '/v1/admin/rollouts', undefined, token);
    assert.deepEqual(
      (list.body.rollouts as { id: string; state: string }[]).map((r) => [r.id, r.state]),
      [[id, 'aborted']],
    );
    const next = await call('POST', '/v1/admin/rollouts', { channel: 'orders', group: 'billing', version: '2.0.1' }, token);
    assert.equal(next.status, 201, 'an aborted rollout leaves the group free for the next');

    assert.equal((await call('GET', '/v1/admin/rollouts/abcdef', undefined, token)).body.code, 'NOT_FOUND');
    const verb = await call('POST', `/v1/admin/rollouts/${id}/rewind`, {}, token);
    assert.deepEqual([verb.status, verb.body.code], [404, 'NOT_FOUND']);
    assert.match(verb.body.message ?? '', /use promote, pause, resume or abort/);
  });
});

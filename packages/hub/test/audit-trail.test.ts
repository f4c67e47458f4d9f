// The audit trail: refused authentications, permission refusals and admin actions, each one JSON log line
// {"audit":{action, outcome, component, remote, target, code, reason, at, node}} and one message on $sys.audit,
// which only admins may subscribe to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { writeConfig } from '../../../test/support/jwks.js';

const SECRET = 'audit-trail-secret-0123456789-abcdefghij';
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));

interface AuditRecord {
  action: string;
  outcome: string;
  component?: string;
  remote?: string;
  target?: string;
  code?: string;
  reason?: string;
  at: string;
  node: string;
  details?: Record<string, unknown>;
}

describe('audit trail', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET, logLevel: 'info' });

  it('writes refusals and admin actions to the log and to $sys.audit, for admins only', async () => {
    const auditor = await fx.open();
    assert.equal((await auditor.call({ op: 'hello', token: await sign({ sub: 'ops', 'sb.admin': true }) })).op, 'welcome');
    const sub = await auditor.call({ op: 'sub', ch: '$sys.audit' });
    assert.equal(sub.op, 'ok', JSON.stringify(sub));

    const nosy = await fx.open();
    assert.equal((await nosy.call({ op: 'hello', token: await sign({ sub: 'nosy', 'sb.pub': ['orders.>'] }) })).op, 'welcome');
    const refusedSub = await nosy.call({ op: 'sub', ch: '$sys.audit' });
    assert.equal(refusedSub.code, 'FORBIDDEN', 'only admins read the audit trail');

    // 1. a forged token on the socket  2. a publish outside sb.pub  3. a bad token over HTTP
    // 4. a contract reload by a non-admin  5. a contract reload by an admin (no contracts: it fails)
    const forged = await fx.open();
    assert.equal((await forged.call({ op: 'hello', token: await sign({ sub: 'mallory' }, 'x'.repeat(40)) })).code, 'UNAUTHENTICATED');
    assert.equal((await nosy.call({ op: 'pub', ch: 'payments.eu', type: 't', data: 1 })).code, 'FORBIDDEN');
    assert.equal((await fetch(`${fx.hub.url}/v1/channels`, { headers: { authorization: 'Bearer not-a-jwt' } })).status, 401);
    const reload = async (token: string) =>
      (await fetch(`${fx.hub.url}/v1/contracts/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;
    assert.equal(await reload(await sign({ sub: 'nosy' })), 403);
    assert.equal(await reload(await sign({ sub: 'ops', 'sb.admin': true })), 404);

    const frames = await auditor.messages(sub.sub, 6);
    const records = frames.map((f) => f.msg.data as AuditRecord);
    const summary = records.map((r) => [r.action, r.outcome, r.component ?? null, r.code ?? null]);
    assert.deepEqual(summary, [
      ['permission', 'refused', 'nosy', 'FORBIDDEN'],
      ['auth.hello', 'refused', null, 'UNAUTHENTICATED'],
      ['permission', 'refused', 'nosy', 'FORBIDDEN'],
      ['auth.http', 'refused', null, 'UNAUTHENTICATED'],
      ['permission', 'refused', 'nosy', 'FORBIDDEN'],
      ['contracts.reload', 'failed', 'ops', 'NOT_FOUND'],
    ]);
    assert.equal(records[0]!.target, 'sub $sys.audit');
    assert.equal(records[2]!.target, 'pub payments.eu');
    assert.equal(records[4]!.target, 'POST /v1/contracts/reload');
    assert.match(records[2]!.reason!, /may not publish to "payments.eu"/, 'why');
    for (const r of records) {
      assert.ok(Date.now() - Date.parse(r.at) < 10_000, 'when');
      assert.equal(r.node, 'hub-1');
      if (r.action.startsWith('auth') || r.action === 'permission') assert.match(r.remote!, /^127\.0\.0\.1:\d+$/, 'from where');
    }
    assert.ok(frames.every((f) => f.msg.source === 'switchboard-hub' && f.msg.ch === '$sys.audit'));

    // the same entries are JSON log lines
    const lines = await waitFor(() => {
      const l = fx.hub
        .output()
        .split('\n')
        .filter((x) => x.includes('"audit":'))
        .map((x) => JSON.parse(x) as { audit: AuditRecord; msg: string });
      return l.length >= 6 ? l : false;
    }, 'the audit log lines');
    assert.ok(lines.every((l) => l.msg === 'audit'));
    assert.deepEqual(
      lines.map((l) => l.audit.action),
      records.map((r) => r.action),
    );
  });
});

describe('audit of admin actions', () => {
  const fx = useHub({
    logLevel: 'info',
    config: writeConfig(
      'webhooks:\n  billing:\n    url: http://127.0.0.1:9/hook\n    channels: [audit.hooked]\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    timeout: 1s\n    allow_private_networks: true\n',
    ),
  });

  it('audits dead-letter replay and purge, webhook tests and rollouts with who did them', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fx.hub.url}${path}`, { method: 'POST', headers: { 'x-switchboard-component': 'ops-alice' }, body: JSON.stringify(body) });
    assert.equal((await post('/v1/admin/dlq/audit.ch/replay', { seqs: [1] })).status, 200);
    assert.equal((await post('/v1/admin/dlq/audit.ch/purge', { up_to_seq: 1 })).status, 200);
    assert.equal((await post('/v1/admin/webhooks/billing/test', {})).status, 200);
    const rollout = await post('/v1/admin/rollouts', { channel: 'audit.orders', group: 'billing', version: '2.0.0' });
    assert.equal(rollout.status, 201);
    const { id } = (await rollout.json()) as { id: string };
    assert.equal((await post(`/v1/admin/rollouts/${id}/abort`, {})).status, 200);
    const records = await waitFor(() => {
      const l = fx.hub
        .output()
        .split('\n')
        .filter((x) => x.includes('"audit":'))
        .map((x) => (JSON.parse(x) as { audit: AuditRecord }).audit);
      return l.length >= 5 ? l : false;
    }, 'five audit lines');
    assert.deepEqual(
      records.map((r) => [r.action, r.outcome, r.component, r.target]),
      [
        ['dlq.replay', 'ok', 'ops-alice', 'audit.ch'],
        ['dlq.purge', 'ok', 'ops-alice', 'audit.ch'],
        ['webhook.test', 'failed', 'ops-alice', 'billing'],
        ['rollout.start', 'ok', 'ops-alice', 'audit.orders billing'],
        ['rollout.abort', 'ok', 'ops-alice', 'audit.orders billing'],
      ],
    );
    assert.equal(records[3]!.details!.rollout, id);
    assert.equal(records[4]!.details!.rollout, id);
    assert.equal(records[1]!.details!.up_to_seq, 1);
    assert.ok(!fx.hub.output().includes('whsec_'), 'the webhook secret is in no log line');
  });
});

// Feature flags in a real hub: a flag is the shared document flags/<key>, written with the SDK's doc.update and
// checked on the way (a bad definition is a CONTRACT_VIOLATION that changes nothing); OFREP clients evaluate it over
// HTTP (single and bulk, ETag), with targeting and fractional rollout as flagd; admins list flags and their changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@switchboard/client';
import { useHub } from '../../../test/support/hub-fixture.js';

const checkout = {
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
  targeting: {
    if: [
      { in: [{ var: 'plan' }, ['pro', 'enterprise']] },
      'on',
      {
        fractional: [
          ['on', 10],
          ['off', 90],
        ],
      },
    ],
  },
  metadata: { team: 'payments' },
};

async function ofrep(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; etag: string | null }> {
  const res = await fetch(`${url}/ofrep/v1/evaluate/flags${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, etag: res.headers.get('etag') };
}

describe('feature flags over OFREP', () => {
  const fx = useHub();

  it('stores checked flag documents and evaluates them for OFREP clients', async () => {
    const admin = await connect({ url: fx.hub.wsUrl, component: 'release-manager', reconnect: false });
    try {
      const doc = await admin.doc('flags/new-checkout');
      await doc.update([{ op: 'replace', path: '', value: checkout }]);
      await assert.rejects(doc.update([{ op: 'replace', path: '/defaultVariant', value: 'maybe' }]), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'CONTRACT_VIOLATION');
        assert.match(err.message, /flag "new-checkout" is not a valid flag definition: \/defaultVariant: "defaultVariant" must name one of the variants/);
        return true;
      });
      const bad = await admin.doc('flags/a.b');
      await assert.rejects(bad.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: 1 } }]), /"variants" must be an object/);
      await bad.close();
      const other = await admin.doc('flags/banner-text');
      await other.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: { a: 'Hello', b: 'Hi' }, defaultVariant: 'a' } }]);
      await doc.close();
      await other.close();
    } finally {
      await admin.close();
    }

    const pro = await ofrep(fx.hub.url, '/new-checkout', { context: { targetingKey: 'u-1', plan: 'pro' } });
    assert.deepEqual(pro, {
      status: 200,
      etag: null,
      body: { key: 'new-checkout', reason: 'TARGETING_MATCH', value: true, variant: 'on', metadata: { team: 'payments' } },
    });
    let on = 0;
    for (let i = 0; i < 400; i++) {
      const r = await ofrep(fx.hub.url, '/new-checkout', { context: { targetingKey: `user-${i}`, plan: 'free' } });
      if (r.body.value === true) on++;
    }
    assert.ok(on > 16 && on < 72, `${on} of 400 free users got the new checkout at 10 %`);
    const missing = await ofrep(fx.hub.url, '/nope', { context: {} });
    assert.deepEqual([missing.status, missing.body.errorCode], [404, 'FLAG_NOT_FOUND']);
    const badContext = await ofrep(fx.hub.url, '/new-checkout', { context: 'x' });
    assert.deepEqual([badContext.status, badContext.body.errorCode], [400, 'INVALID_CONTEXT']);

    const bulk = await ofrep(fx.hub.url, '', { context: { targetingKey: 'u-1', plan: 'enterprise' } });
    assert.equal(bulk.status, 200);
    assert.deepEqual(bulk.body.flags, [
      { key: 'banner-text', reason: 'STATIC', value: 'Hello', variant: 'a', metadata: {} },
      { key: 'new-checkout', reason: 'TARGETING_MATCH', value: true, variant: 'on', metadata: { team: 'payments' } },
    ]);
    assert.ok(bulk.etag);
    const same = await ofrep(fx.hub.url, '', { context: { targetingKey: 'u-1', plan: 'enterprise' } }, { 'if-none-match': bulk.etag! });
    assert.equal(same.status, 304, 'nothing changed: 304 for the same ETag');

    const list = (await (await fetch(`${fx.hub.url}/v1/admin/flags`)).json()) as { flags: { key: string; version: number; state: string }[] };
    assert.deepEqual(
      list.flags.map((f) => [f.key, f.version, f.state]),
      [
        ['banner-text', 1, 'ENABLED'],
        ['new-checkout', 1, 'ENABLED'],
      ],
    );
    const history = (await (await fetch(`${fx.hub.url}/v1/admin/flags/new-checkout/history`)).json()) as { changes: { version: number; by: string }[] };
    assert.deepEqual(
      history.changes.map((c) => [c.version, c.by]),
      [[1, 'release-manager']],
    );
  });
});

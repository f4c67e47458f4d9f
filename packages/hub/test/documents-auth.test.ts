import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import type { ErrorBody } from '../../../test/support/http-bodies.js';

const SECRET = 'documents-auth-test-secret';
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

describe('shared state documents: sb.docs permissions', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });

  it('lets "w" update and "r" read, and answers FORBIDDEN otherwise (socket and HTTP)', async () => {
    const writer = await fx.connect('presenter-ui', { token: await token({ sub: 'presenter-ui', 'sb.docs': { 'session/*': 'rw' } }) });
    const reader = await fx.connect('attendee-ui', { token: await token({ sub: 'attendee-ui', 'sb.docs': ['session/*:r', 'qa/>'] }) });
    let r = await writer.call({ op: 'doc.update', id: 1, doc: 'session/42', ops: [{ op: 'add', path: '', value: { slide: 1 } }] });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    r = await reader.call({ op: 'doc.update', id: 1, doc: 'session/42', ops: [{ op: 'replace', path: '/slide', value: 9 }] });
    assert.equal(r.code, 'FORBIDDEN', JSON.stringify(r));
    assert.match(r.message, /may not update document "session\/42"/);
    r = await reader.call({ op: 'doc.sub', id: 2, doc: 'session/42' });
    assert.deepEqual([r.op, r.value], ['ok', { slide: 1 }]);
    r = await reader.call({ op: 'doc.update', id: 3, doc: 'qa/42/votes', ops: [{ op: 'add', path: '', value: 1 }] });
    assert.equal(r.op, 'ok', 'a bare pattern grants rw; ">" matches deeper names');
    r = await writer.call({ op: 'doc.sub', id: 2, doc: 'qa/42/votes' });
    assert.equal(r.code, 'FORBIDDEN');

    let res = await fetch(`${fx.hub.url}/v1/docs/session/42`, {
      headers: { authorization: `Bearer ${await token({ sub: 'attendee-ui', 'sb.docs': { 'session/*': 'r' } })}` },
    });
    assert.deepEqual([res.status, await res.json()], [200, { version: 1, value: { slide: 1 } }]);
    res = await fetch(`${fx.hub.url}/v1/docs/session/42`, {
      headers: { authorization: `Bearer ${await token({ sub: 'other', 'sb.docs': { 'session/*': 'w' } })}` },
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as ErrorBody).code, 'FORBIDDEN');
    res = await fetch(`${fx.hub.url}/v1/docs/session/42`);
    assert.equal(res.status, 401);
  });

  it('allows every document to a token without sb.docs', async () => {
    const c = await fx.connect('legacy', { token: await token({ sub: 'legacy' }) });
    const r = await c.call({ op: 'doc.sub', id: 1, doc: 'any/thing' });
    assert.equal(r.op, 'ok');
  });
});

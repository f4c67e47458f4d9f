// A JWKS at a URL, served by a real local HTTP server that counts its fetches: fetched once, then cached; an
// unknown kid makes one fetch again (at most once per jwks_cooldown); two live keys for a rotation; a JWKS per issuer;
// a JWKS file read again on an unknown kid.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeFileSync } from 'node:fs';
import { makeKey, serveJwks, signWith, writeConfig, writeJwks, type JwksServer, type TestKey } from '../../../test/support/jwks.js';
import { sleep } from '../../../test/support/util.js';

describe('a JWKS URL', () => {
  let server: JwksServer;
  let oldKey: TestKey, newKey: TestKey;
  let config = '';
  before(async () => {
    [oldKey, newKey] = await Promise.all([makeKey('ES256', 'key-2026-01'), makeKey('RS256', 'key-2026-02')]);
    server = await serveJwks([oldKey]);
    config = writeConfig(`auth:\n  jwks: ${server.url}\n  jwks_cooldown: 1s\n`);
  });
  after(() => server.close());
  const fx = useHub(() => ({ dev: false, config }));

  async function hello(token: string): Promise<{ op: string; code?: string; message?: string }> {
    const c = await fx.open();
    return c.call({ op: 'hello', token });
  }

  it('is fetched on the first token, then served from the cache', async () => {
    assert.equal(server.fetches(), 0, 'nothing fetched before a token needs it');
    for (let i = 0; i < 5; i++) assert.equal((await hello(await signWith(oldKey, { sub: `svc-${i}` }))).op, 'welcome');
    assert.equal(server.fetches(), 1);
  });

  it('is fetched once more on an unknown kid, and not again within the cooldown', async () => {
    await sleep(1100); // past the cooldown of the first fetch
    const before = server.fetches();
    const unknown = await signWith(newKey, { sub: 'svc' });
    const r = await hello(unknown);
    assert.equal(r.code, 'UNAUTHENTICATED');
    assert.match(r.message!, /no key with kid "key-2026-02"/);
    assert.equal(server.fetches(), before + 1, 'one fetch for the unknown kid');
    for (let i = 0; i < 10; i++) assert.equal((await hello(unknown)).code, 'UNAUTHENTICATED');
    assert.equal(server.fetches(), before + 1, 'a flood of unknown kids makes no more fetches within the cooldown');
  });

  it('accepts both keys during a rotation, and only the new one after the old is removed', async () => {
    server.keys = [oldKey, newKey];
    await sleep(1100);
    assert.equal((await hello(await signWith(newKey, { sub: 'svc-new' }))).op, 'welcome', 'the new key is fetched on its first token');
    assert.equal((await hello(await signWith(oldKey, { sub: 'svc-old' }))).op, 'welcome', 'the old key still works');
    server.keys = [newKey];
    await sleep(1100);
    // a token of a third key makes the hub fetch again; the old key is then gone
    const third = await makeKey('EdDSA', 'key-2026-03');
    assert.equal((await hello(await signWith(third, { sub: 'svc' }))).code, 'UNAUTHENTICATED');
    assert.equal((await hello(await signWith(oldKey, { sub: 'svc-old' }))).code, 'UNAUTHENTICATED', 'the removed key is refused');
    assert.equal((await hello(await signWith(newKey, { sub: 'svc-new' }))).op, 'welcome');
  });
});

describe('a JWKS per issuer', () => {
  let a: JwksServer, b: JwksServer;
  let keyA: TestKey, keyB: TestKey;
  let config = '';
  before(async () => {
    // the same kid at both issuers: the cache keeps them apart
    [keyA, keyB] = await Promise.all([makeKey('ES256', 'k1'), makeKey('ES256', 'k1')]);
    [a, b] = await Promise.all([serveJwks([keyA]), serveJwks([keyB])]);
    config = writeConfig(`auth:\n  jwks:\n    "https://a.test/": ${a.url}\n    "https://b.test/": ${b.url}\n`);
  });
  after(async () => {
    await a.close();
    await b.close();
  });
  const fx = useHub(() => ({ dev: false, config }));

  it("checks each token against its issuer's keys, kid for kid", async () => {
    const c = async (token: string) => (await fx.open()).call({ op: 'hello', token });
    assert.equal((await c(await signWith(keyA, { iss: 'https://a.test/', sub: 'svc-a' }))).op, 'welcome');
    assert.equal((await c(await signWith(keyB, { iss: 'https://b.test/', sub: 'svc-b' }))).op, 'welcome');
    assert.equal((await c(await signWith(keyA, { iss: 'https://b.test/', sub: 'svc-a' }))).code, 'UNAUTHENTICATED', "A's key under B's issuer");
    const none = await c(await signWith(keyA, { iss: 'https://c.test/', sub: 'svc' }));
    assert.equal(none.code, 'UNAUTHENTICATED');
    assert.match(none.message, /"https:\/\/c.test\/" has no JWKS here/);
    assert.deepEqual([a.fetches(), b.fetches()], [1, 1], 'each JWKS fetched once (a bad signature under a known kid fetches nothing)');
  });
});

describe('a JWKS file', () => {
  let file = '';
  let oldKey: TestKey, newKey: TestKey;
  let config = '';
  before(async () => {
    [oldKey, newKey] = await Promise.all([makeKey('ES256', 'file-1'), makeKey('EdDSA', 'file-2')]);
    file = writeJwks([oldKey]);
    config = writeConfig(`auth:\n  jwks: ${file}\n  jwks_cooldown: 1s\n`);
  });
  const fx = useHub(() => ({ dev: false, config }));

  it('is read again on an unknown kid after the cooldown, so a key added for a rotation needs no restart', async () => {
    const hello = async (token: string) => (await fx.open()).call({ op: 'hello', token });
    writeFileSync(file, JSON.stringify({ keys: [oldKey.jwk, newKey.jwk] }));
    assert.equal((await hello(await signWith(newKey, { sub: 'svc' }))).code, 'UNAUTHENTICATED', 'within the cooldown of the start');
    await sleep(1100);
    assert.equal((await hello(await signWith(newKey, { sub: 'svc' }))).op, 'welcome', 'the new key is read from the file');
    assert.equal((await hello(await signWith(oldKey, { sub: 'svc' }))).op, 'welcome');
    writeFileSync(file, 'not json');
    await sleep(1100);
    const third = await makeKey('ES256', 'file-3');
    assert.equal((await hello(await signWith(third, { sub: 'svc' }))).code, 'UNAUTHENTICATED');
    assert.equal((await hello(await signWith(newKey, { sub: 'svc' }))).op, 'welcome', 'a broken file leaves the keys as they were');
  });
});

// The hub serves the built dashboard at /: the page and its hashed assets with their content types, revalidation
// of the page (ETag, 304), a year of caching for the assets, gzip when asked, nothing outside the folder, the API
// untouched; with --no-dashboard / answers 404.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { startHub } from '@switchboard/cli';
import { useHub } from '../../../test/support/hub-fixture.js';

/** A built page of our own: index.html, a hashed script and stylesheet, and a file beside the folder. */
function builtPage(): string {
  const root = mkdtempSync(join(tmpdir(), 'sb-dashboard-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'dist');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Switchboard</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(dir, 'assets', 'index-def456.css'), 'body{color:red}');
  writeFileSync(join(root, 'secret.txt'), 'not to be served');
  return dir;
}

describe('the dashboard served by the hub', () => {
  const dir = builtPage();
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-dashboard-data-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  let url = '';
  let banner = '';
  let close = async () => {};
  before(async () => {
    const started = await startHub({ port: 0, dataDir, dev: true, dashboardDir: dir, logger: pino({ level: 'silent' }) });
    ({ url, banner } = started);
    close = () => started.hub.close();
  });
  after(() => close());

  it('says where the dashboard is when it starts', () => {
    assert.match(banner, /dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('answers / with the page: text/html, revalidated (no-cache, ETag → 304), with a content security policy', async () => {
    const res = await fetch(`${url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(await res.text(), /<title>Switchboard<\/title>/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*connect-src 'self'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const etag = res.headers.get('etag')!;
    assert.ok(etag);
    const again = await fetch(`${url}/index.html`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  it('answers the hashed assets with their types, cached for a year, gzipped when asked', async () => {
    const js = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-encoding'), null);
    const body = await js.text();
    const css = await fetch(`${url}/assets/index-def456.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    // fetch would unzip by itself: read the raw bytes over node:http instead
    const { request } = await import('node:http');
    const zipped = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      request(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(zipped.encoding, 'gzip');
    assert.ok(zipped.bytes.length < body.length / 4, 'the gzipped script is much smaller');
    assert.equal(gunzipSync(zipped.bytes).toString(), body);
  });

  it('serves nothing outside its folder, and leaves /v1/ to the API', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/missing.js']) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
    }
    const api = await fetch(`${url}/v1/nothing-here`);
    assert.equal(api.status, 404);
    assert.match(((await api.json()) as { message: string }).message, /no route GET \/v1\/nothing-here; see docs\/reference\/http\.md/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const post = await fetch(`${url}/`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const elsewhere = await fetch(`${url}/nope`, { method: 'POST' });
    assert.equal(elsewhere.status, 404, 'a path the page does not have is no route, whatever the method');
    assert.match(((await elsewhere.json()) as { message: string }).message, /^no route POST \/nope; see docs\/reference\/http\.md/);
  });
});

describe('switchboard start --no-dashboard', () => {
  const fx = useHub({ dashboard: false });

  it('answers / with 404 and serves the API as before', async () => {
    const res = await fetch(`${fx.hub.url}/`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
    assert.match(fx.hub.output(), /dashboard: off \(--no-dashboard\)/);
    assert.equal((await fetch(`${fx.hub.url}/v1/admin/status`)).status, 200);
  });
});

describe('switchboard start, the dashboard on by default', () => {
  const fx = useHub();

  it('serves the built @switchboard/dashboard page at /', async () => {
    const res = await fetch(`${fx.hub.url}/`);
    assert.equal(res.status, 200, 'packages/dashboard/dist is built by npm run build');
    const html = await res.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const js = await fetch(fx.hub.url + script);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  });
});

describe('a hub whose dashboard folder is not built', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-dashboard-data-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  let url = '';
  let close = async () => {};
  let logged = '';
  before(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void (logged += line) });
    const started = await startHub({ port: 0, dataDir, dev: true, dashboardDir: join(dataDir, 'no-such-dist'), logger });
    url = started.url;
    close = () => started.hub.close();
  });
  after(() => close());

  it('starts, says so in its log, and answers / with 404 saying how to build it', async () => {
    assert.match(logged, /dashboard: no index\.html in .*no-such-dist; build it with npm run build/);
    const res = await fetch(`${url}/`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { message: string }).message, /the dashboard is not built \(no index\.html in .*no-such-dist\): run npm run build/);
    assert.equal((await fetch(`${url}/v1/admin/status`)).status, 200);
  });
});

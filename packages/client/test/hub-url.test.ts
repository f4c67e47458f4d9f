import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { connect } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';

// A wrong URL fails at once with what is wrong and what a hub URL looks like, not after the connect timeout with
// "Unexpected server response: 400". The connect timeout is 10 s in these tests: a rejection within 2 s is "at once".
const TIMEOUT_MS = 10_000;

async function rejectsAtOnce(url: string, code: string, detail: RegExp): Promise<number> {
  const t0 = performance.now();
  await assert.rejects(connect({ url, component: 'sdk-wrong-url', connectTimeoutMs: TIMEOUT_MS }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError, String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(`"${url}"`), `names the URL given: ${err.message}`);
    assert.ok(err.message.includes('ws://host:port/v1/ws'), `says what a hub URL looks like: ${err.message}`);
    assert.match(err.message, detail);
    return true;
  });
  const took = performance.now() - t0;
  assert.ok(took < 2000, `rejected after ${took.toFixed(0)} ms, not at once`);
  return took;
}

test('an http:// URL is refused at once with BAD_FRAME naming the ws:// form', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const http = hub.wsUrl.replace(/^ws:/, 'http:');
  const took = await rejectsAtOnce(http, 'BAD_FRAME', /the scheme is http:\/\/.*e\.g\. ws:\/\/127\.0\.0\.1:\d+\/v1\/ws/);
  t.diagnostic(`http:// URL refused after ${took.toFixed(1)} ms`);
  await rejectsAtOnce(hub.url, 'BAD_FRAME', /the scheme is http:\/\//);
  await rejectsAtOnce('127.0.0.1:7700/v1/ws', 'BAD_FRAME', /the scheme is 127\.0\.0\.1:\/\/|not a URL/);
});

test('a path other than /v1/ws: the hub answers the upgrade with 400, the SDK rejects at once with NOT_FOUND', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const root = hub.wsUrl.replace(/\/v1\/ws$/, '');
  for (const url of [root, `${root}/`, `${root}/ws`, `${root}/v1/socket`]) {
    const took = await rejectsAtOnce(url, 'NOT_FOUND', /answered HTTP 400 to the WebSocket upgrade \(the path is "\/[^"]*", the hub serves \/v1\/ws\)/);
    t.diagnostic(`${url}: refused after ${took.toFixed(1)} ms`);
  }
  // The right URL still connects.
  const c = await connect({ url: hub.wsUrl, component: 'sdk-right-url' });
  await c.close();
});

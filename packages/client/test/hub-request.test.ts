import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { connect } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { closing } from './support/closing.js';

test('request/reply between two clients', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const engine = await closing(t, connect({ url: hub.wsUrl, component: 'core-engine' }));
  const bridge = await closing(t, connect({ url: hub.wsUrl, component: 'data-bridge' }));
  engine.onRequest(async (req) => {
    assert.equal(req.from, 'data-bridge');
    if (req.type === 'quote.request') return { symbol: (req.data as { symbol: string }).symbol, bid: 1.0841, ask: 1.0843 };
    if (req.type === 'conflict') throw new SwitchboardError('CONFLICT', 'version 7 is not current', { version: 9 });
    throw new Error(`no idea what "${req.type}" is`);
  });
  assert.deepEqual(await bridge.request('core-engine', 'quote.request', { symbol: 'EURUSD' }), { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843 });
  await assert.rejects(bridge.request('core-engine', 'conflict'), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'CONFLICT');
    assert.match(err.message, /version 7 is not current/);
    assert.deepEqual(err.details, { version: 9 });
    return true;
  });
  await assert.rejects(bridge.request('core-engine', 'mystery'), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'INTERNAL');
    assert.match(err.message, /no idea what "mystery" is/);
    return true;
  });
});

test('request to a component that is not connected: UNAVAILABLE', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-req' }));
  await assert.rejects(c.request('nobody-here', 'ping'), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'UNAVAILABLE');
    return true;
  });
});

test('request that nobody answers in time: TIMEOUT', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const slow = await closing(t, connect({ url: hub.wsUrl, component: 'slow-engine' }));
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-req2' }));
  slow.onRequest(() => new Promise((r) => setTimeout(() => r('late'), 1500)));
  const t0 = Date.now();
  await assert.rejects(c.request('slow-engine', 'work', null, { timeoutMs: 300 }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'TIMEOUT');
    return true;
  });
  const took = Date.now() - t0;
  assert.ok(took >= 280 && took < 1200, `took ${took} ms`);
});

test('requests are spread across connections of one component', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const w1 = await closing(t, connect({ url: hub.wsUrl, component: 'workers' }));
  const w2 = await closing(t, connect({ url: hub.wsUrl, component: 'workers' }));
  w1.onRequest(() => 'w1');
  w2.onRequest(() => 'w2');
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-req3' }));
  const answers = await Promise.all(Array.from({ length: 10 }, () => c.request<string>('workers', 'job')));
  assert.ok(answers.includes('w1') && answers.includes('w2'), answers.join(','));
});

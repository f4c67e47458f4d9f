// The hub's events for dashboards and operators: $sys.components (connect, disconnect, with version),
// $sys.violations (each refused publish, sampled above admin.violations_per_second) and $sys.alerts (lag, DLQ
// growth and error rate over the thresholds of switchboard.yaml, firing once and resolved once).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { contractsDir } from '../../../test/support/reload-contracts.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import type { WireFrame } from '../../../test/support/raw-client.js';

/** The payload of a `$sys.*` event (docs/reference/http.md lists the fields of each). */
interface SysEvent {
  component?: string;
  version?: string;
  node?: string;
  session?: string;
  code?: number | string;
  count?: number;
  ch?: string;
  type?: string;
  reason?: string;
  details?: unknown;
  alert?: string;
  state?: string;
  group?: string;
  value?: number;
  threshold?: number;
  message?: string;
}
const ev = (f: WireFrame): SysEvent => f.msg.data as SysEvent;

const config = fileURLToPath(new URL('./fixtures/admin-events.yaml', import.meta.url));

describe('$sys.* hub events', () => {
  const contracts = contractsDir(true);
  const fx = useHub({ contracts: contracts.dir, config, nodeId: 'hub-ev' });

  it('$sys.components tells of each connect and disconnect, with the version', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.components' });
    const { client } = await fx.session('core-engine', { version: '1.4.0' });
    const connected = await ops.next((f) => f.op === 'msg' && f.sub === sub);
    assert.equal(connected.msg.type, 'component.connected');
    assert.equal(connected.msg.source, 'switchboard-hub');
    assert.equal(connected.msg.ch, '$sys.components');
    assert.deepEqual([ev(connected).component, ev(connected).version, ev(connected).node], ['core-engine', '1.4.0', 'hub-ev']);
    await client.close();
    const gone = await ops.next((f) => f.op === 'msg' && f.sub === sub && f.msg.type === 'component.disconnected');
    assert.deepEqual([ev(gone).component, ev(gone).version, ev(gone).session], ['core-engine', '1.4.0', ev(connected).session]);
    assert.equal(typeof ev(gone).code, 'number');
    const history = await fetch(`${fx.hub.url}/v1/channels/${encodeURIComponent('$sys.components')}/messages`);
    assert.deepEqual((await history.json()).messages, [], 'ephemeral: live subscribers only');
  });

  it('$sys.violations tells of refused publishes, at most 2 a second, then the count left out', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.violations' });
    const bridge = await fx.connect('data-bridge');
    // Aligned to the start of a second, so that the five refusals fall within one (checked below: on a slow machine
    // they may spill into the next second, and then each second has its own budget of 2).
    await sleep(1000 - (Date.now() % 1000) + 20);
    const firstSecond = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 5; i++) {
      assert.equal((await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'X', i } })).code, 'CONTRACT_VIOLATION');
    }
    const seconds = Math.floor(Date.now() / 1000) - firstSecond + 1;
    const isEvent = (f: WireFrame) => f.op === 'msg' && f.sub === sub;
    let sent: WireFrame[] = [];
    let skippedCount = 0;
    await waitFor(
      () => {
        for (const f of ops.drain(isEvent)) {
          if (f.msg.type === 'violation') sent = [...sent, f];
          else if (f.msg.type === 'violations.skipped') skippedCount += ev(f).count!;
        }
        return sent.length + skippedCount === 5;
      },
      () => `every refusal sent or counted as skipped (sent ${sent.length}, skipped ${skippedCount})`,
      3000,
    );
    if (seconds === 1) {
      assert.equal(sent.length, 2);
      assert.equal(skippedCount, 3);
    } else assert.ok(sent.length <= 2 * seconds, `at most 2 a second: ${sent.length} in ${seconds} seconds`);
    const v = ev(sent[0]!);
    assert.deepEqual([v.ch, v.type, v.component, v.code], ['market.ticks', 'tick', 'data-bridge', 'CONTRACT_VIOLATION']);
    assert.match(v.reason!, /venue/);
    assert.ok(Array.isArray(v.details));
  });

  it('$sys.alerts fires when a group lags and when a dead-letter log grows, and resolves once it is over', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.alerts' });
    const engine = await fx.connect('core-engine');
    const g = await subscribe(engine, { ch: 'strict.orders', group: 'billing', ack: 'manual', from: 'latest' });
    const bridge = await fx.connect('data-bridge');
    for (let i = 0; i < 4; i++) assert.equal((await bridge.call({ op: 'pub', ch: 'strict.orders', type: 'order', data: { i } })).op, 'ok');
    const lag = await ops.next((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'consumer_lag', 5000);
    assert.deepEqual([ev(lag).state, ev(lag).ch, ev(lag).group, ev(lag).value, ev(lag).threshold], ['firing', 'strict.orders', 'billing', 4, 3]);
    assert.match(ev(lag).message!, /4 messages behind/);
    for (let n = 0; n < 4; n++) {
      const m = await engine.next((f) => f.op === 'msg' && f.sub === g.sub);
      engine.send({ op: 'ack', sub: g.sub, seq: m.msg.seq });
    }
    const resolved = await ops.next((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'consumer_lag' && ev(f).state === 'resolved', 5000);
    assert.equal(ev(resolved).group, 'billing');
    await sleep(300);
    assert.equal(ops.drain((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'consumer_lag').length, 0, 'one firing and one resolved, nothing since');

    for (let i = 0; i < 3; i++) await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'Y' } });
    const grown = await ops.next((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'dlq_growth' && ev(f).state === 'firing', 5000);
    assert.equal(ev(grown).ch, 'market.ticks');
    assert.ok(ev(grown).value! >= 2, JSON.stringify(grown.msg.data));
  });
});

describe('$sys.alerts error rate', () => {
  const contracts = contractsDir(true);
  const fx = useHub({ contracts: contracts.dir, config });

  it('fires once the share of refused publishes over the last minute reaches admin.alerts.error_rate', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.alerts' });
    const bridge = await fx.connect('data-bridge');
    for (let i = 0; i < 2; i++)
      assert.equal((await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'Z', venue: 'LSE' } })).op, 'ok');
    await sleep(300);
    assert.deepEqual(
      ops.drain((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'error_rate'),
      [],
      'under error_rate_min_publishes: no alert',
    );
    for (let i = 0; i < 3; i++) await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'Z' } });
    const rate = await ops.next((f) => f.op === 'msg' && f.sub === sub && ev(f).alert === 'error_rate', 5000);
    assert.deepEqual([ev(rate).state, ev(rate).value, ev(rate).threshold], ['firing', 0.6, 0.5]);
    assert.match(ev(rate).message!, /3 of 5 publishes refused over the last minute/);
  });
});

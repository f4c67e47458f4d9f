// A duration written as a bare number below 1000 means milliseconds and is almost always a slip for seconds
// (`ack_timeout: 10` redelivers every 10 ms and fills the dead-letter log): it is refused at start with a
// ConfigError naming the key, the value and the fix.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { channelSettings, ConfigError, configFromObject } from '../src/config/config.js';

const KEYS: [string, (v: unknown) => unknown, string][] = [
  ['heartbeat', (v) => ({ heartbeat: v }), 'heartbeat'],
  ['dedupe_window', (v) => ({ dedupe_window: v }), 'dedupe_window'],
  ['request_timeout', (v) => ({ request_timeout: v }), 'request_timeout'],
  ['max_request_timeout', (v) => ({ max_request_timeout: v }), 'max_request_timeout'],
  ['session_ttl', (v) => ({ session_ttl: v }), 'session_ttl'],
  ['ack_timeout', (v) => ({ channels: { 'market.ticks': { ack_timeout: v } } }), 'channels."market.ticks".ack_timeout'],
  ['retention.max_age', (v) => ({ channels: { 'market.ticks': { retention: { max_age: v } } } }), 'channels."market.ticks".retention.max_age'],
];

it('a unitless duration below 1000 is refused for every duration key, naming the key, the value and the fix', () => {
  for (const [name, doc, where] of KEYS) {
    for (const v of [10, '10', 999]) {
      assert.throws(
        () => configFromObject(doc(v), 'switchboard.yaml'),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `${name}=${JSON.stringify(v)}: ${String(err)}`);
          const n = String(v);
          assert.equal(
            err.message,
            `switchboard.yaml: ${where}: ${n} has no unit, and a number without one means milliseconds (${n} ms); write ${n}s for seconds, or ${n}ms if you mean milliseconds (a bare number must be at least 1000)`,
          );
          return true;
        },
      );
    }
  }
});

it('with a unit any duration is taken, and a bare number of 1000 or more still means milliseconds', () => {
  const c = configFromObject({ heartbeat: '10s', request_timeout: '300ms', session_ttl: 1500, channels: { 'a.b': { ack_timeout: '10ms' } } });
  assert.equal(c.heartbeatMs, 10_000);
  assert.equal(c.requestTimeoutMs, 300);
  assert.equal(c.sessionTtlMs, 1500);
  assert.equal(channelSettings(c, 'a.b').ackTimeoutMs, 10);
  assert.equal(channelSettings(configFromObject({ channels: { 'a.b': { ack_timeout: '1000' } } }), 'a.b').ackTimeoutMs, 1000);
});

// The `admin:` key of switchboard.yaml: thresholds of $sys.alerts and the sampling of $sys.violations.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, configFromObject, defaultConfig } from '../src/config/config.js';

it('has defaults, and reads every key of admin and admin.alerts', () => {
  assert.deepEqual(defaultConfig().admin, {
    violationsPerSecond: 100,
    trackedChannels: 1000,
    historyIntervalMs: 10_000,
    alerts: { intervalMs: 10_000, consumerLag: 1000, dlqGrowth: 10, errorRate: 0.05, errorRateMinPublishes: 20 },
  });
  const c = configFromObject({
    admin: {
      violations_per_second: 5,
      tracked_channels: 50,
      history_interval: '1s',
      alerts: { interval: '2s', consumer_lag: 10, dlq_growth: 3, error_rate: 0.2, error_rate_min_publishes: 7 },
    },
  });
  assert.deepEqual(c.admin, {
    violationsPerSecond: 5,
    trackedChannels: 50,
    historyIntervalMs: 1000,
    alerts: { intervalMs: 2000, consumerLag: 10, dlqGrowth: 3, errorRate: 0.2, errorRateMinPublishes: 7 },
  });
  assert.equal(configFromObject({ admin: { alerts: { consumer_lag: 9 } } }).admin.alerts.intervalMs, 10_000, 'the others keep their defaults');
});

it('refuses unknown keys and bad values, naming the place and what is allowed', () => {
  const refusal = (admin: unknown): string => {
    try {
      configFromObject({ admin }, 'hub.yaml');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail(`accepted ${JSON.stringify(admin)}`);
  };
  assert.match(refusal({ alert: {} }), /^hub\.yaml: admin: unknown key "alert"; known: violations_per_second, tracked_channels, history_interval, alerts$/);
  assert.match(
    refusal({ alerts: { lag: 1 } }),
    /admin\.alerts: unknown key "lag"; known: interval, consumer_lag, dlq_growth, error_rate, error_rate_min_publishes$/,
  );
  assert.match(refusal({ alerts: { error_rate: 5 } }), /admin\.alerts\.error_rate must be a share of publishes above 0 and at most 1 \(0\.05 is 5 %\), not 5/);
  assert.match(refusal({ alerts: { interval: 'soon' } }), /admin\.alerts\.interval: .*write a duration like 500ms/);
  for (const bad of ['1500ms', '2m'])
    assert.match(refusal({ history_interval: bad }), /admin\.history_interval must be whole seconds from 1s to 60s \(the rates it sums are kept a minute\)/);
  assert.match(refusal({ violations_per_second: 0 }), /admin\.violations_per_second must be a whole number above 0/);
  assert.match(refusal('yes'), /admin must be a mapping/);
});

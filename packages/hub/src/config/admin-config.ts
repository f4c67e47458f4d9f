import { ConfigError, dur, isObject, posInt } from './config-values.js';

/** The admin API's settings: the `admin:` key of `switchboard.yaml` (docs/reference/config.md). */
export interface AdminConfig {
  /** At most this many `$sys.violations` events a second; the others are counted and told in a `violations.skipped` event. */
  violationsPerSecond: number;
  /** Channels (and publisher → channel pairs) whose rates are tracked for status and map; past it, new ones are not. */
  trackedChannels: number;
  /** Length of one sample of the hub's history (`GET /v1/admin/history`, 360 kept), in ms: whole seconds, 1 s to 60 s. */
  historyIntervalMs: number;
  /** When `$sys.alerts` fires. */
  alerts: AlertThresholds;
}

/** Thresholds of the `$sys.alerts` events, checked every `intervalMs`. */
export interface AlertThresholds {
  /** How often the thresholds are checked (ms). */
  intervalMs: number;
  /** A consumer group whose lag (head − ack floor) reaches this many messages fires `consumer_lag`. */
  consumerLag: number;
  /** A dead-letter log that grows by this many entries within one interval fires `dlq_growth`. */
  dlqGrowth: number;
  /** The share of publishes refused over the last minute (0–1) that fires `error_rate`. */
  errorRate: number;
  /** …counted only once the last minute had at least this many publishes (accepted + refused). */
  errorRateMinPublishes: number;
}

/** The defaults of {@link AdminConfig}. */
export function defaultAdminConfig(): AdminConfig {
  return {
    violationsPerSecond: 100,
    trackedChannels: 1000,
    historyIntervalMs: 10_000,
    alerts: { intervalMs: 10_000, consumerLag: 1000, dlqGrowth: 10, errorRate: 0.05, errorRateMinPublishes: 20 },
  };
}

const ALERT_KEYS: Record<string, keyof AlertThresholds> = {
  interval: 'intervalMs',
  consumer_lag: 'consumerLag',
  dlq_growth: 'dlqGrowth',
  error_rate: 'errorRate',
  error_rate_min_publishes: 'errorRateMinPublishes',
};

/** Reads the `admin:` mapping (`where` names it in errors). */
export function adminConfigFromObject(v: unknown, where: string): AdminConfig {
  const c = defaultAdminConfig();
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping with violations_per_second, tracked_channels, history_interval or alerts`);
  const known = ['violations_per_second', 'tracked_channels', 'history_interval', 'alerts'];
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new ConfigError(`${where}: unknown key "${k}"; known: ${known.join(', ')}`);
  if (v.violations_per_second !== undefined) c.violationsPerSecond = posInt(v.violations_per_second, `${where}.violations_per_second`);
  if (v.tracked_channels !== undefined) c.trackedChannels = posInt(v.tracked_channels, `${where}.tracked_channels`);
  if (v.history_interval !== undefined) {
    const ms = dur(v.history_interval, `${where}.history_interval`);
    if (ms % 1000 !== 0 || ms > 60_000)
      throw new ConfigError(
        `${where}.history_interval must be whole seconds from 1s to 60s (the rates it sums are kept a minute), not ${JSON.stringify(v.history_interval)}`,
      );
    c.historyIntervalMs = ms;
  }
  if (v.alerts !== undefined) {
    if (!isObject(v.alerts)) throw new ConfigError(`${where}.alerts must be a mapping with ${Object.keys(ALERT_KEYS).join(', ')}`);
    for (const [k, value] of Object.entries(v.alerts)) {
      const key = ALERT_KEYS[k];
      if (!key) throw new ConfigError(`${where}.alerts: unknown key "${k}"; known: ${Object.keys(ALERT_KEYS).join(', ')}`);
      const at = `${where}.alerts.${k}`;
      if (key === 'intervalMs') c.alerts.intervalMs = dur(value, at);
      else if (key === 'errorRate') c.alerts.errorRate = share(value, at);
      else c.alerts[key] = posInt(value, at);
    }
  }
  return c;
}

function share(v: unknown, where: string): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
    throw new ConfigError(`${where} must be a share of publishes above 0 and at most 1 (0.05 is 5 %), not ${JSON.stringify(v)}`);
  }
  return v;
}

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_LIMITS, DEFAULT_TIMINGS, channelPatternProblem, matchChannel, SwitchboardError } from '@switchboard/protocol';
import { authConfigFromObject, defaultAuthConfig, type AuthConfig } from './auth-config.js';
import { adminConfigFromObject, defaultAdminConfig, type AdminConfig } from './admin-config.js';
import { bool, ConfigError, dur, isObject, posInt, str } from './config-values.js';
import { defaultWebhooksConfig, webhooksConfigFromObject, type WebhooksConfig } from './webhooks-config.js';

/** How a channel keeps its messages. */
export type ChannelMode = 'durable' | 'ephemeral';

/** Settings of the channels matching one pattern. */
export interface ChannelSettings {
  mode: ChannelMode;
  /** Keep at most this many messages. */
  maxMessages?: number;
  /** Keep messages at most this long (ms). */
  maxAgeMs?: number;
  ackTimeoutMs: number;
  maxDeliveries: number;
}

/** Everything a hub is configured with; {@link resolveConfig} fills the defaults. */
export interface HubConfig {
  /** Hub node id (shown in `welcome.node`). */
  nodeId: string;
  heartbeatMs: number;
  dedupeWindowMs: number;
  requestTimeoutMs: number;
  /** Upper bound of a request's `timeout_ms`. */
  maxRequestTimeoutMs: number;
  /** How long a disconnected session's subscriptions are kept for `resume`. */
  sessionTtlMs: number;
  limits: {
    maxFrameBytes: number;
    maxInflight: number;
    maxSubscriptions: number;
    maxPendingRequests: number;
    /** Socket send buffer above which a subscriber is paused (durable) or skipped (ephemeral). */
    maxBufferedBytes: number;
    /** Disconnected sessions kept for `resume` at once; past it the longest-parked one is forgotten. */
    maxParkedSessions: number;
    /** Largest shared state document, in bytes of JSON. */
    maxDocBytes: number;
    /** Most operations in one `doc.update`. */
    maxDocOps: number;
    /** Largest presence `info` object of a `hello` or `sub`, in bytes of JSON. */
    maxPresenceInfoBytes: number;
    /** Publishes a second per connection and per component (the limits feature; its defaults when absent). */
    publishRate?: number;
    publishBurst?: number;
    /** HTTP requests to `/v1/…` a second per remote address. */
    httpRate?: number;
    httpBurst?: number;
    /** Open connections of one component on one node. */
    maxConnectionsPerComponent?: number;
    /** Refused hellos (and HTTP authentications) per remote address per minute. */
    maxFailedHellos?: number;
  };
  /** Defaults for every channel. */
  channelDefaults: ChannelSettings;
  /** Per-pattern settings, first match wins (an exact name before patterns). */
  channels: { match: string; settings: Partial<ChannelSettings> }[];
  /** Refuse publishes to channels that no contract and no `channels` entry declares. */
  strictChannels: boolean;
  /**
   * Accept permessage-deflate from WebSocket clients that offer it (browsers do): frames of 1 KiB to 256 KiB go
   * compressed, a frame shared by many subscribers compressed once. Off by default: it costs CPU for frames sent to
   * one connection, and memory (a deflate window) for each connection that sends compressed frames.
   */
  compression: boolean;
  /** The admin API's hub events (`$sys.*`) and alert thresholds (the `admin:` key). */
  admin: AdminConfig;
  /** How clients prove who they are: dev mode, an HS256 secret, a JWKS (the `auth:` key). */
  auth: AuthConfig;
  /** The per-channel metrics of `/metrics` (docs/reference/metrics.md). */
  metrics: MetricsConfig;
  /** Outbound and inbound webhooks (the `webhooks:` and `inbound_webhooks:` keys). */
  webhooks: WebhooksConfig;
}

/** What `/metrics` reports per channel and per consumer group, and how many label values it may use. */
export interface MetricsConfig {
  /** Per-channel and per-group metrics on (false: only the process-wide ones, and nothing on the publish path). */
  enabled: boolean;
  /** Channel patterns whose channels get a `channel` label of their own; every channel when absent. */
  channelLabels?: string[];
  /** At most this many channels (and, apart, this many group names) get a label of their own; the rest are `other`. */
  maxChannelLabels: number;
}

/** Defaults used when nothing is configured. */
export function defaultConfig(): HubConfig {
  return {
    nodeId: 'hub-1',
    heartbeatMs: DEFAULT_TIMINGS.heartbeat_ms,
    dedupeWindowMs: DEFAULT_TIMINGS.dedupe_window_ms,
    requestTimeoutMs: DEFAULT_TIMINGS.request_timeout_ms,
    maxRequestTimeoutMs: 300_000,
    sessionTtlMs: 300_000,
    limits: {
      maxFrameBytes: DEFAULT_LIMITS.max_frame_bytes,
      maxInflight: DEFAULT_LIMITS.max_inflight,
      maxSubscriptions: DEFAULT_LIMITS.max_subscriptions,
      maxPendingRequests: DEFAULT_LIMITS.max_pending_requests,
      maxBufferedBytes: 8 * 1024 * 1024,
      maxParkedSessions: 10_000,
      maxDocBytes: 256 * 1024,
      maxDocOps: 1000,
      maxPresenceInfoBytes: 1024,
    },
    channelDefaults: { mode: 'durable', ackTimeoutMs: DEFAULT_TIMINGS.ack_timeout_ms, maxDeliveries: DEFAULT_TIMINGS.max_deliveries },
    channels: [],
    strictChannels: false,
    compression: false,
    admin: defaultAdminConfig(),
    auth: defaultAuthConfig(),
    metrics: { enabled: true, maxChannelLabels: 100 },
    webhooks: defaultWebhooksConfig(),
  };
}

/** The settings for channel `ch`: config entries first, then the contract's `x-switchboard`, then defaults. */
export function channelSettings(config: HubConfig, ch: string, contractExtension?: Record<string, unknown>): ChannelSettings {
  const exact = config.channels.find((c) => c.match === ch);
  const entry = exact ?? config.channels.find((c) => matchChannel(c.match, ch));
  const fromContract = contractExtension ? settingsFromObject(contractExtension, 'x-switchboard') : {};
  return { ...config.channelDefaults, ...fromContract, ...(entry?.settings ?? {}) };
}

/** True when a `channels` entry of the config names or matches `ch`. */
export function configDeclares(config: HubConfig, ch: string): boolean {
  return config.channels.some((c) => c.match === ch || matchChannel(c.match, ch));
}

/**
 * Reads a `switchboard.yaml` (or JSON) file into a partial config. Keys (all optional):
 * `node_id`, `heartbeat`, `dedupe_window`, `request_timeout`, `max_request_timeout`, `session_ttl`, `strict_channels`, `compression`,
 * `limits: {max_frame_bytes, max_inflight, max_subscriptions, max_pending_requests, max_buffered_bytes, max_parked_sessions, max_doc_bytes, max_doc_ops, max_presence_info_bytes, publish_rate, publish_burst, http_rate, http_burst, max_connections_per_component, max_failed_hellos}`,
 * `defaults: {mode, retention: {max_messages, max_age}, ack_timeout, max_deliveries}`,
 * `channels: {<name or pattern>: {mode, retention, ack_timeout, max_deliveries}}`,
 * `admin: {violations_per_second, tracked_channels, alerts: {interval, consumer_lag, dlq_growth, error_rate, error_rate_min_publishes}}`,
 * `auth: {dev, hs256_secret, jwks, issuer, audience, clock_skew, jwks_cooldown, jwks_timeout, jwks_max_age}`, `metrics: {enabled, channel_labels, max_channel_labels}`,
 * `webhooks: {<name>: {url, channels, types, secret, timeout, retry_schedule, ordered, max_in_flight, breaker, allow_private_networks}}`,
 * `inbound_webhooks: {<name>: {channel, verify, secret, tolerance, type_field}}`.
 */
export function readConfigFile(file: string): HubConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}; check the path given to --config`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  return configFromObject(doc ?? {}, file);
}

export { ConfigError };

/** Builds a full config from a parsed object (see {@link readConfigFile} for the keys). */
export function configFromObject(doc: unknown, file = 'config'): HubConfig {
  const c = defaultConfig();
  if (!isObject(doc)) throw new ConfigError(`${file}: the top level must be a mapping (key: value)`);
  const known = new Set([
    'node_id',
    'heartbeat',
    'dedupe_window',
    'request_timeout',
    'max_request_timeout',
    'session_ttl',
    'strict_channels',
    'compression',
    'limits',
    'defaults',
    'channels',
    'admin',
    'auth',
    'metrics',
    'webhooks',
    'inbound_webhooks',
  ]);
  for (const k of Object.keys(doc)) if (!known.has(k)) throw new ConfigError(`${file}: unknown key "${k}"; known keys: ${[...known].join(', ')}`);
  if (doc.node_id !== undefined) c.nodeId = str(doc.node_id, `${file}: node_id`);
  if (doc.heartbeat !== undefined) c.heartbeatMs = dur(doc.heartbeat, `${file}: heartbeat`);
  if (doc.dedupe_window !== undefined) c.dedupeWindowMs = dur(doc.dedupe_window, `${file}: dedupe_window`);
  if (doc.request_timeout !== undefined) c.requestTimeoutMs = dur(doc.request_timeout, `${file}: request_timeout`);
  if (doc.max_request_timeout !== undefined) c.maxRequestTimeoutMs = dur(doc.max_request_timeout, `${file}: max_request_timeout`);
  if (doc.session_ttl !== undefined) c.sessionTtlMs = dur(doc.session_ttl, `${file}: session_ttl`);
  if (doc.strict_channels !== undefined) c.strictChannels = bool(doc.strict_channels, `${file}: strict_channels`);
  if (doc.compression !== undefined) c.compression = bool(doc.compression, `${file}: compression`);
  if (doc.limits !== undefined) {
    if (!isObject(doc.limits)) throw new ConfigError(`${file}: limits must be a mapping`);
    const map: Record<string, keyof HubConfig['limits']> = {
      max_frame_bytes: 'maxFrameBytes',
      max_inflight: 'maxInflight',
      max_subscriptions: 'maxSubscriptions',
      max_pending_requests: 'maxPendingRequests',
      max_buffered_bytes: 'maxBufferedBytes',
      max_parked_sessions: 'maxParkedSessions',
      max_doc_bytes: 'maxDocBytes',
      max_doc_ops: 'maxDocOps',
      max_presence_info_bytes: 'maxPresenceInfoBytes',
      publish_rate: 'publishRate',
      publish_burst: 'publishBurst',
      http_rate: 'httpRate',
      http_burst: 'httpBurst',
      max_connections_per_component: 'maxConnectionsPerComponent',
      max_failed_hellos: 'maxFailedHellos',
    };
    for (const [k, v] of Object.entries(doc.limits)) {
      const key = map[k];
      if (!key) throw new ConfigError(`${file}: unknown limit "${k}"; known: ${Object.keys(map).join(', ')}`);
      c.limits[key] = posInt(v, `${file}: limits.${k}`);
    }
  }
  if (doc.defaults !== undefined) c.channelDefaults = { ...c.channelDefaults, ...settingsFromObject(doc.defaults, `${file}: defaults`) };
  if (doc.channels !== undefined) {
    if (!isObject(doc.channels)) throw new ConfigError(`${file}: channels must be a mapping of channel name or pattern to settings`);
    for (const [match, v] of Object.entries(doc.channels)) {
      const problem = channelPatternProblem(match);
      if (problem) throw new ConfigError(`${file}: channels."${match}": ${problem}`);
      c.channels.push({ match, settings: settingsFromObject(v ?? {}, `${file}: channels."${match}"`) });
    }
  }
  if (doc.admin !== undefined) c.admin = adminConfigFromObject(doc.admin, `${file}: admin`);
  if (doc.auth !== undefined) c.auth = authConfigFromObject(doc.auth, `${file}: auth`);
  if (doc.metrics !== undefined) c.metrics = metricsFromObject(doc.metrics, `${file}: metrics`);
  c.webhooks = webhooksConfigFromObject(doc, file);
  return c;
}

function metricsFromObject(v: unknown, where: string): MetricsConfig {
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping`);
  const known = ['enabled', 'channel_labels', 'max_channel_labels'];
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new ConfigError(`${where}: unknown key "${k}"; known: ${known.join(', ')}`);
  const out: MetricsConfig = { ...defaultConfig().metrics };
  if (v.enabled !== undefined) out.enabled = bool(v.enabled, `${where}.enabled`);
  if (v.max_channel_labels !== undefined) out.maxChannelLabels = posInt(v.max_channel_labels, `${where}.max_channel_labels`);
  if (v.channel_labels !== undefined) {
    if (!Array.isArray(v.channel_labels)) throw new ConfigError(`${where}.channel_labels must be a list of channel names or patterns, e.g. ["market.>"]`);
    out.channelLabels = v.channel_labels.map((p: unknown, i: number) => {
      const problem = channelPatternProblem(p);
      if (problem) throw new ConfigError(`${where}.channel_labels[${i}]: ${problem}`);
      return p as string;
    });
  }
  return out;
}

function settingsFromObject(v: unknown, where: string): Partial<ChannelSettings> {
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping with mode, retention, ack_timeout or max_deliveries`);
  const out: Partial<ChannelSettings> = {};
  for (const k of Object.keys(v)) {
    if (!['mode', 'retention', 'ack_timeout', 'max_deliveries'].includes(k)) {
      throw new ConfigError(`${where}: unknown key "${k}"; known: mode, retention, ack_timeout, max_deliveries`);
    }
  }
  if (v.mode !== undefined) {
    if (v.mode !== 'durable' && v.mode !== 'ephemeral') throw new ConfigError(`${where}.mode must be "durable" or "ephemeral", not ${JSON.stringify(v.mode)}`);
    out.mode = v.mode;
  }
  if (v.retention !== undefined) {
    if (!isObject(v.retention)) throw new ConfigError(`${where}.retention must be a mapping with max_messages and/or max_age`);
    for (const k of Object.keys(v.retention)) {
      if (k !== 'max_messages' && k !== 'max_age') throw new ConfigError(`${where}.retention: unknown key "${k}"; known: max_messages, max_age`);
    }
    if (v.retention.max_messages !== undefined) out.maxMessages = posInt(v.retention.max_messages, `${where}.retention.max_messages`);
    if (v.retention.max_age !== undefined) out.maxAgeMs = dur(v.retention.max_age, `${where}.retention.max_age`);
  }
  if (v.ack_timeout !== undefined) out.ackTimeoutMs = dur(v.ack_timeout, `${where}.ack_timeout`);
  if (v.max_deliveries !== undefined) out.maxDeliveries = posInt(v.max_deliveries, `${where}.max_deliveries`);
  return out;
}

/** Throws a SwitchboardError when the config cannot run (e.g. neither dev mode nor a token secret). */
export function assertRunnable(config: HubConfig): void {
  if (!config.auth.dev && !config.auth.hs256Secret && !config.auth.jwks) {
    throw new SwitchboardError(
      'UNAUTHENTICATED',
      'no way to authenticate clients: start with --dev for development, or set --token-secret (SWITCHBOARD_TOKEN_SECRET) for HS256 tokens or --jwks (SWITCHBOARD_JWKS) for RS256/ES256/EdDSA tokens',
    );
  }
}

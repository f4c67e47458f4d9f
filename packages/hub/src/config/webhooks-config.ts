import { channelPatternProblem, channelNameProblem } from '@switchboard/protocol';
import { bool, ConfigError, dur, isObject, posInt, str } from './config-values.js';

/** One outbound webhook: an entry of the `webhooks:` key (docs/reference/config.md#webhooks). */
export interface OutboundWebhookConfig {
  /** The key of the entry: letters, digits, `-` and `_`. */
  name: string;
  /** Where each message is POSTed (http or https, no credentials in it). */
  url: string;
  /** Channel names or patterns whose messages are sent. */
  channels: string[];
  /** Only these message types are sent (all when absent). */
  types?: string[];
  /** Every secret signs (two during a rotation); each is the key bytes of a `whsec_…` secret. */
  secrets: Buffer[];
  /** Per attempt: no full answer within it is a failure. */
  timeoutMs: number;
  /** Delay before each retry; the first attempt is immediate. After the last retry, the dead-letter log. */
  retryScheduleMs: number[];
  /** One request in flight, in seq order of each channel. */
  ordered: boolean;
  maxInFlight: number;
  breaker: BreakerConfig;
  /** Loopback, private and link-local targets allowed (refused by default). */
  allowPrivateNetworks: boolean;
}

/** The circuit breaker of one webhook. */
export interface BreakerConfig {
  /** Share of failed attempts over `windowMs` (0–1) that opens the breaker… */
  failureRate: number;
  /** …counted once the window holds at least this many attempts. */
  minRequests: number;
  windowMs: number;
  /** How long the breaker stays open before one probe is let through. */
  openForMs: number;
}

/** How an inbound webhook's signature is checked. */
export type InboundVerify = 'stripe' | 'standard';

/** One inbound webhook: an entry of the `inbound_webhooks:` key, served at `POST /v1/hooks/{name}`. */
export interface InboundWebhookConfig {
  name: string;
  /** The channel the events are published to. */
  channel: string;
  verify: InboundVerify;
  /** The provider's signing secret, as the provider gives it (`whsec_…`). */
  secret: string;
  /** A signature timestamp further than this from now (either way) is refused. */
  toleranceMs: number;
  /** The body field naming the message type. */
  typeField: string;
}

/** The `webhooks:` and `inbound_webhooks:` keys. */
export interface WebhooksConfig {
  outbound: OutboundWebhookConfig[];
  inbound: InboundWebhookConfig[];
}

/** No webhooks. */
export function defaultWebhooksConfig(): WebhooksConfig {
  return { outbound: [], inbound: [] };
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const OUTBOUND_KEYS = [
  'url',
  'channels',
  'types',
  'secret',
  'timeout',
  'retry_schedule',
  'ordered',
  'max_in_flight',
  'breaker',
  'allow_private_networks',
] as const;
const BREAKER_KEYS = ['failure_rate', 'min_requests', 'window', 'open_for'] as const;
const INBOUND_KEYS = ['channel', 'verify', 'secret', 'tolerance', 'type_field'] as const;
const DEFAULT_SCHEDULE = ['5s', '5m', '30m', '2h', '5h', '10h', '14h', '20h', '24h'];

/**
 * Reads `webhooks:` and `inbound_webhooks:` of a config document (`file` names it in errors). A secret is a literal
 * `whsec_…` or `env:NAME` (read from `env` now, so that a missing variable stops the start, not the first delivery).
 */
export function webhooksConfigFromObject(doc: Record<string, unknown>, file: string, env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const c = defaultWebhooksConfig();
  if (doc.webhooks !== undefined && doc.webhooks !== null) {
    for (const [name, v] of entries(doc.webhooks, `${file}: webhooks`)) c.outbound.push(outbound(name, v, `${file}: webhooks.${name}`, env));
  }
  if (doc.inbound_webhooks !== undefined && doc.inbound_webhooks !== null) {
    for (const [name, v] of entries(doc.inbound_webhooks, `${file}: inbound_webhooks`))
      c.inbound.push(inbound(name, v, `${file}: inbound_webhooks.${name}`, env));
  }
  return c;
}

function entries(v: unknown, where: string): [string, Record<string, unknown>][] {
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping of webhook names to settings`);
  return Object.entries(v).map(([name, e]) => {
    if (!NAME.test(name)) throw new ConfigError(`${where}: the name "${name}" must be 1 to 64 letters, digits, - or _`);
    if (!isObject(e)) throw new ConfigError(`${where}.${name} must be a mapping`);
    return [name, e];
  });
}

function known(v: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw new ConfigError(`${where}: unknown key "${k}"; known: ${keys.join(', ')}`);
}

function outbound(name: string, v: Record<string, unknown>, where: string, env: NodeJS.ProcessEnv): OutboundWebhookConfig {
  known(v, OUTBOUND_KEYS, where);
  const url = targetUrl(str(v.url, `${where}.url`), `${where}.url`);
  if (!Array.isArray(v.channels) || v.channels.length === 0)
    throw new ConfigError(`${where}.channels must be a list of channel names or patterns, e.g. ["orders.>"]`);
  const channels = v.channels.map((p: unknown, i: number) => {
    const problem = channelPatternProblem(p);
    if (problem || (p as string).startsWith('$'))
      throw new ConfigError(`${where}.channels[${i}]: ${problem ?? 'reserved $ channels cannot be sent to a webhook'}`);
    return p as string;
  });
  let types: string[] | undefined;
  if (v.types !== undefined) {
    if (!Array.isArray(v.types) || v.types.length === 0 || !v.types.every((t) => typeof t === 'string' && t !== '')) {
      throw new ConfigError(`${where}.types must be a non-empty list of message types, e.g. ["order.created"]`);
    }
    types = v.types as string[];
  }
  const secretList = Array.isArray(v.secret) ? v.secret : [v.secret];
  if (v.secret === undefined || secretList.length === 0)
    throw new ConfigError(`${where}.secret is required: a whsec_… secret, env:NAME, or a list of them during a rotation`);
  const secrets = secretList.map((s: unknown, i: number) =>
    signingKey(secretValue(s, `${where}.secret${Array.isArray(v.secret) ? `[${i}]` : ''}`, env), `${where}.secret`),
  );
  const scheduleRaw = v.retry_schedule ?? DEFAULT_SCHEDULE;
  if (!Array.isArray(scheduleRaw)) throw new ConfigError(`${where}.retry_schedule must be a list of durations, e.g. [5s, 5m, 30m] ([] for no retry)`);
  const maxInFlight = v.max_in_flight === undefined ? 16 : posInt(v.max_in_flight, `${where}.max_in_flight`);
  return {
    name,
    url,
    channels,
    ...(types ? { types } : {}),
    secrets,
    timeoutMs: v.timeout === undefined ? 15_000 : dur(v.timeout, `${where}.timeout`),
    retryScheduleMs: scheduleRaw.map((d: unknown, i: number) => dur(d, `${where}.retry_schedule[${i}]`)),
    ordered: v.ordered === undefined ? false : bool(v.ordered, `${where}.ordered`),
    maxInFlight,
    breaker: breaker(v.breaker, `${where}.breaker`),
    allowPrivateNetworks: v.allow_private_networks === undefined ? false : bool(v.allow_private_networks, `${where}.allow_private_networks`),
  };
}

function breaker(v: unknown, where: string): BreakerConfig {
  const b: BreakerConfig = { failureRate: 0.7, minRequests: 10, windowMs: 300_000, openForMs: 30_000 };
  if (v === undefined) return b;
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping with ${BREAKER_KEYS.join(', ')}`);
  known(v, BREAKER_KEYS, where);
  if (v.failure_rate !== undefined) {
    if (typeof v.failure_rate !== 'number' || !(v.failure_rate > 0 && v.failure_rate <= 1)) {
      throw new ConfigError(`${where}.failure_rate must be a share of attempts above 0 and at most 1 (0.7 is 70 %), not ${JSON.stringify(v.failure_rate)}`);
    }
    b.failureRate = v.failure_rate;
  }
  if (v.min_requests !== undefined) b.minRequests = posInt(v.min_requests, `${where}.min_requests`);
  if (v.window !== undefined) b.windowMs = dur(v.window, `${where}.window`);
  if (v.open_for !== undefined) b.openForMs = dur(v.open_for, `${where}.open_for`);
  return b;
}

function inbound(name: string, v: Record<string, unknown>, where: string, env: NodeJS.ProcessEnv): InboundWebhookConfig {
  known(v, INBOUND_KEYS, where);
  const channel = str(v.channel, `${where}.channel`);
  const problem = channelNameProblem(channel);
  if (problem) throw new ConfigError(`${where}.channel: ${problem}`);
  const verify = v.verify ?? 'standard';
  if (verify !== 'stripe' && verify !== 'standard') throw new ConfigError(`${where}.verify must be "stripe" or "standard", not ${JSON.stringify(verify)}`);
  return {
    name,
    channel,
    verify,
    secret: secretValue(v.secret, `${where}.secret`, env),
    toleranceMs: v.tolerance === undefined ? 300_000 : dur(v.tolerance, `${where}.tolerance`),
    typeField: v.type_field === undefined ? 'type' : str(v.type_field, `${where}.type_field`),
  };
}

/** A literal secret, or the value of the environment variable of `env:NAME`. */
function secretValue(v: unknown, where: string, env: NodeJS.ProcessEnv): string {
  const s = str(v, where);
  if (!s.startsWith('env:')) return s;
  const name = s.slice(4);
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`${where}: the environment variable ${name} is not set; set it, or write the secret itself`);
  return value;
}

/** The key bytes of a Standard Webhooks secret: base64 after `whsec_` (at least 24 bytes). */
function signingKey(secret: string, where: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
  if (key.length < 24) {
    throw new ConfigError(
      `${where} must be whsec_ followed by base64 of at least 24 random bytes (e.g. whsec_$(openssl rand -base64 32)); the one given is not`,
    );
  }
  return key;
}

function targetUrl(s: string, where: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(`${where} must be an absolute http:// or https:// URL, not ${JSON.stringify(s)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${where} must use http:// or https://, not ${u.protocol}`);
  if (u.username || u.password) throw new ConfigError(`${where} must not carry credentials; the signature authenticates the hub`);
  return u.toString();
}

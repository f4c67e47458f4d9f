import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { OutboundWebhookConfig } from '../../config/webhooks-config.js';
import { standardSignature } from '../signature.js';
import { guardedLookup, isPrivate, privateNetworks, privateTargetError } from './private-networks.js';

/** What one attempt got: an answer (`status`) or a transport error (`error`), and what the answer asks for. */
export interface AttemptResult {
  /** 2xx. */
  ok: boolean;
  status?: number;
  /** Connection refused, timeout, refused target, … (no answer). */
  error?: string;
  /** `Retry-After` of a 429 or 503, in ms. */
  retryAfterMs?: number;
  /** The answer carried `webhook-delivery: abort-message`: stop retrying this message. */
  abort: boolean;
  /** 410 Gone: the endpoint is gone for good. */
  gone: boolean;
  /** The start of the answer's body (at most 4 KiB), for `switchboard webhooks test`. */
  body?: string;
  /** Unix seconds of the attempt (its `webhook-timestamp`). */
  timestamp: number;
  /** How long the attempt took. */
  seconds: number;
}

const MAX_BODY_KEPT = 4096;

/**
 * Sends the signed requests of one webhook over its own keep-alive connections (an undici `Agent` per webhook, so
 * one slow endpoint never holds up another). Redirects are not followed; the target's address is checked when each
 * connection opens (after DNS resolution) unless the webhook allows private networks.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    private readonly config: OutboundWebhookConfig,
    private readonly now: () => number,
  ) {
    this.url = new URL(config.url);
    const timeout = config.timeoutMs;
    const blocked = privateNetworks();
    const base = buildConnector({
      timeout,
      ...(config.allowPrivateNetworks ? {} : { lookup: guardedLookup(config.name, blocked) }),
    } as buildConnector.BuildOptions);
    const connect: buildConnector.connector = (opts, cb) => {
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      if (!config.allowPrivateNetworks && isIP(host) !== 0 && isPrivate(blocked, host)) {
        cb(privateTargetError(config.name, host, host), null);
        return;
      }
      base(opts, cb);
    };
    this.agent = new Agent({ connect, connections: config.maxInFlight, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  /** POSTs `body` (an envelope's JSON text, as stored) with the Standard Webhooks headers for message `id`. */
  async send(id: string, body: string, traceparent?: string): Promise<AttemptResult> {
    const started = performance.now();
    const timestamp = Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'switchboard-webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardSignature(this.config.secrets, id, timestamp, body),
    };
    if (traceparent) headers.traceparent = traceparent;
    const base = { abort: false, gone: false, timestamp };
    try {
      const res = await this.agent.request({
        origin: this.url.origin,
        path: this.url.pathname + this.url.search,
        method: 'POST',
        headers,
        body,
        headersTimeout: this.config.timeoutMs,
        bodyTimeout: this.config.timeoutMs,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = await keep(res.body);
      const status = res.statusCode;
      const retryAfter = status === 429 || status === 503 ? retryAfterMs(res.headers['retry-after'], this.now()) : undefined;
      const delivery = res.headers['webhook-delivery'];
      return {
        ...base,
        ok: status >= 200 && status < 300,
        status,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
        abort: String(delivery ?? '').toLowerCase() === 'abort-message',
        gone: status === 410,
        body: text,
        seconds: (performance.now() - started) / 1e3,
      };
    } catch (err) {
      return { ...base, ok: false, error: describe(err, this.config.timeoutMs), seconds: (performance.now() - started) / 1e3 };
    }
  }

  close(): Promise<void> {
    // In-flight attempts are cut off: not acknowledged, they are sent again after a restart.
    return this.agent.destroy().catch(() => {});
  }
}

/** The start of a body (read to the end, so the connection can be reused). */
async function keep(body: AsyncIterable<Buffer>): Promise<string> {
  let kept = '';
  for await (const chunk of body) if (kept.length < MAX_BODY_KEPT) kept += chunk.toString('utf8');
  return kept.slice(0, MAX_BODY_KEPT);
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(v: string | string[] | undefined, now: number): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timeout: no full answer within ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

import { SwitchboardError } from '@switchboard/protocol';
import type { FeatureConnection, HubFeature } from '../features/feature.js';
import { limitSettings, type LimitSettings } from './limit-settings.js';
import { TokenBucket } from './token-bucket.js';
import { FailedHelloWindow } from './failed-hellos.js';
import type { LimitName } from '../metrics/limit-names.js';

/** Components (and addresses) with a bucket at most, so that many one-off callers cannot grow the maps without bound. */
const MAX_KEYS = 100_000;

/** Options of {@link limitsFeature}. */
export interface LimitsFeatureOptions {
  /** The clock of the buckets and windows, in milliseconds (default `performance.now()`-based wall time). */
  now?: () => number;
}

/** The limits of this feature, as the `limit` label of `switchboard_limit_refusals_total` and `details.limit` of a refusal. */
type FeatureLimit = Extract<LimitName, 'publish_rate_connection' | 'publish_rate_component' | 'http_rate' | 'connections_per_component' | 'failed_hellos'>;

/** The address of `remote` (`1.2.3.4:5678`, `[::1]:5678`) without its port. */
export function addressOf(remote: string | undefined): string {
  if (remote === undefined) return 'unknown';
  const v6 = /^\[(.*)\]:\d+$/.exec(remote);
  if (v6) return v6[1]!;
  const i = remote.lastIndexOf(':');
  return i > 0 ? remote.slice(0, i) : remote;
}

/**
 * Rate and count limits, on by default (`limits.*`, docs/reference/config.md): publishes per connection and per
 * component (token buckets), HTTP requests per remote address, connections per component, and failed hellos per
 * remote address per minute (a flood of forged tokens is refused before any token is checked, with one log line per
 * burst). A refusal is `RATE_LIMITED` with `details.limit` and `details.retry_after_ms`; the connection stays open.
 * Every refusal is counted in `switchboard_limit_refusals_total{limit}`.
 */
export function limitsFeature(options: LimitsFeatureOptions = {}): HubFeature {
  return {
    name: 'limits',
    register(host) {
      const now = options.now ?? (() => performance.timeOrigin + performance.now());
      const s: LimitSettings = limitSettings(host.config);
      const refused = (limit: FeatureLimit, message: string, retryAfterMs?: number): SwitchboardError => {
        host.metrics.limitRefused(limit);
        return new SwitchboardError('RATE_LIMITED', message, { limit, ...(retryAfterMs !== undefined ? { retry_after_ms: retryAfterMs } : {}) });
      };
      const connectionBuckets = new WeakMap<FeatureConnection, TokenBucket>();
      const componentBuckets = new Map<string, TokenBucket>();
      const httpBuckets = new Map<string, TokenBucket>();
      const perComponent = new Map<string, number>();
      const failed = new FailedHelloWindow(s.maxFailedHellos, now, (address, count, untilMs) =>
        host.log.warn(
          { remote: address, failed_hellos: count, limit: 'failed_hellos' },
          `limits: ${count} failed hellos from ${address} within a minute (limits.max_failed_hellos ${s.maxFailedHellos}); refusing it for ${Math.ceil(untilMs / 1000)} s without checking tokens`,
        ),
      );
      const bucket = (map: Map<string, TokenBucket>, key: string, rate: number, burst: number): TokenBucket => {
        let b = map.get(key);
        if (!b) {
          // bounded: past MAX_KEYS the full (idle) buckets go, then the oldest
          if (map.size >= MAX_KEYS) {
            for (const [k, old] of map) if (old.full()) map.delete(k);
            if (map.size >= MAX_KEYS) map.delete(map.keys().next().value!);
          }
          map.set(key, (b = new TokenBucket(rate, burst, now)));
        }
        return b;
      };
      const blockedAddress = (remote: string | undefined): void => {
        const wait = failed.blockedFor(addressOf(remote));
        if (wait > 0)
          throw refused(
            'failed_hellos',
            `too many failed authentications from this address (more than ${s.maxFailedHellos} a minute, limits.max_failed_hellos); retry after ${Math.ceil(wait / 1000)} s with a valid token`,
            wait,
          );
      };

      host.onClientError((e) => {
        const authFailure =
          (e.transport === 'ws' && e.op === 'hello' && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) ||
          (e.transport === 'http' && e.code === 'UNAUTHENTICATED');
        if (authFailure) failed.note(addressOf(e.remote));
      });

      host.guardPublish((p) => {
        const t = now();
        const own = p.connection && connectionBuckets.get(p.connection);
        if (own) {
          const wait = own.take(t);
          if (wait > 0)
            throw refused(
              'publish_rate_connection',
              `this connection publishes faster than limits.publish_rate (${s.publishRate}/s, burst ${s.publishBurst}); slow down, retry after ${wait} ms`,
              wait,
            );
        }
        const wait = bucket(componentBuckets, p.component, s.publishRate, s.publishBurst).take(t);
        if (wait > 0)
          throw refused(
            'publish_rate_component',
            `component "${p.component}" publishes faster than limits.publish_rate (${s.publishRate}/s, burst ${s.publishBurst}) over all its connections; slow down, retry after ${wait} ms`,
            wait,
          );
      });

      host.guardHttp((req) => {
        if (!req.url?.startsWith('/v1/')) return;
        const remote = req.socket.remoteAddress ?? 'unknown';
        blockedAddress(remote.includes(':') ? `[${remote}]:0` : `${remote}:0`);
        const wait = bucket(httpBuckets, remote, s.httpRate, s.httpBurst).take();
        if (wait > 0)
          throw refused(
            'http_rate',
            `this address sends HTTP requests faster than limits.http_rate (${s.httpRate}/s, burst ${s.httpBurst}); slow down, retry after ${wait} ms`,
            wait,
          );
      });

      host.connection({
        open(conn) {
          let admitted: string | undefined;
          const leave = () => {
            if (admitted === undefined) return;
            const n = (perComponent.get(admitted) ?? 1) - 1;
            if (n <= 0) perComponent.delete(admitted);
            else perComponent.set(admitted, n);
            admitted = undefined;
          };
          return {
            check(op) {
              if (op === 'hello') blockedAddress(conn.remote());
            },
            admit(identity) {
              const n = perComponent.get(identity.component) ?? 0;
              if (n >= s.maxConnectionsPerComponent)
                throw refused(
                  'connections_per_component',
                  `component "${identity.component}" has ${n} connections open on this hub node, the limit (limits.max_connections_per_component); close some, or raise the limit`,
                );
              perComponent.set(identity.component, n + 1);
              admitted = identity.component;
              connectionBuckets.set(conn, new TokenBucket(s.publishRate, s.publishBurst, now));
            },
            park() {
              leave();
              return undefined;
            },
            close: leave,
          };
        },
      });

      // Forget what is idle: full buckets and finished windows.
      const sweep = setInterval(() => {
        for (const map of [componentBuckets, httpBuckets]) for (const [k, b] of map) if (b.full()) map.delete(k);
        failed.sweep();
      }, 60_000);
      sweep.unref();
      host.onClose(() => clearInterval(sweep));
    },
  };
}

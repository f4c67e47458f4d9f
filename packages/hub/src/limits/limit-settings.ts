import type { HubConfig } from '../config/config.js';

/** The rate and count limits of the limits feature, with their defaults filled in. */
export interface LimitSettings {
  /** Publishes a second, per connection and per component (all its connections and HTTP calls together). */
  publishRate: number;
  /** Publishes at once above the rate (the bucket's size). */
  publishBurst: number;
  /** HTTP requests to `/v1/…` a second, per remote address. */
  httpRate: number;
  httpBurst: number;
  /** Open connections of one component on one node. */
  maxConnectionsPerComponent: number;
  /** Refused `hello`s and HTTP authentications per remote address per minute; past it the address is refused until the minute ends. */
  maxFailedHellos: number;
}

/** The defaults: far above what a well-behaved component does, low enough to stop a runaway one. */
export const LIMIT_DEFAULTS: Readonly<LimitSettings> = Object.freeze({
  publishRate: 20_000,
  publishBurst: 40_000,
  httpRate: 1_000,
  httpBurst: 2_000,
  maxConnectionsPerComponent: 1_000,
  maxFailedHellos: 60,
});

/** The limits of a config (`limits.publish_rate`, …), defaults where it says nothing. */
export function limitSettings(config: HubConfig): LimitSettings {
  const l = config.limits;
  return {
    publishRate: l.publishRate ?? LIMIT_DEFAULTS.publishRate,
    publishBurst: l.publishBurst ?? Math.max(l.publishRate ?? 0, LIMIT_DEFAULTS.publishBurst),
    httpRate: l.httpRate ?? LIMIT_DEFAULTS.httpRate,
    httpBurst: l.httpBurst ?? Math.max(l.httpRate ?? 0, LIMIT_DEFAULTS.httpBurst),
    maxConnectionsPerComponent: l.maxConnectionsPerComponent ?? LIMIT_DEFAULTS.maxConnectionsPerComponent,
    maxFailedHellos: l.maxFailedHellos ?? LIMIT_DEFAULTS.maxFailedHellos,
  };
}

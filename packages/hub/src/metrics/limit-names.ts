/**
 * Every limit whose refusals are counted in `switchboard_limit_refusals_total`, by its `limit` label value (a fixed
 * set, listed in docs/reference/metrics.md). The rate and count limits of the limits feature, then the size and count
 * limits of the core and of the features.
 */
export const LIMIT_NAMES = [
  'publish_rate_connection',
  'publish_rate_component',
  'http_rate',
  'connections_per_component',
  'failed_hellos',
  'frame_bytes',
  'http_body_bytes',
  'subscriptions_per_connection',
  'pending_requests',
  'doc_bytes',
  'doc_ops',
  'presence_info_bytes',
  'pending_doc_updates',
  'ofrep_event_streams',
  'live_rollouts',
] as const;

/** A `limit` label value of `switchboard_limit_refusals_total`. */
export type LimitName = (typeof LIMIT_NAMES)[number];

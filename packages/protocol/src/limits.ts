/** Default limits, on unless configured otherwise. */
export const DEFAULT_LIMITS = {
  /** Largest accepted frame or HTTP body, in bytes (1 MiB). */
  max_frame_bytes: 1024 * 1024,
  /** Unacknowledged deliveries per subscription before it is paused. */
  max_inflight: 1000,
  /** Subscriptions per connection. */
  max_subscriptions: 1000,
  /** Outstanding requests per connection. */
  max_pending_requests: 1000,
  /** Length of a channel name or a document name. */
  max_name_length: 256,
} as const;

/** Default timings, in milliseconds. */
export const DEFAULT_TIMINGS = {
  heartbeat_ms: 15_000,
  ack_timeout_ms: 30_000,
  dedupe_window_ms: 120_000,
  request_timeout_ms: 5_000,
  max_deliveries: 5,
} as const;

/** The WebSocket subprotocol name of this protocol version. */
export const SUBPROTOCOL = 'switchboard.v1';

/** The path of the WebSocket endpoint. */
export const WS_PATH = '/v1/ws';

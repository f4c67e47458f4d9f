/**
 * The one registry of WebSocket close codes the hub sends. `docs/protocol.md` ("Close codes") is kept in step with
 * this map by a test; a code is never given a new meaning, and a retired code is never reused.
 */
export const CloseCodes = {
  /** The hub is shutting down: reconnect, possibly to another node. */
  SHUTTING_DOWN: { code: 1001, reason: 'hub shutting down' },
  /** A frame over 4 × `max_frame_bytes` (not read at all). */
  FRAME_TOO_LARGE: { code: 1009, reason: 'frame over 4 × max_frame_bytes' },
  /** The token's `exp` passed: reconnect with a new token. */
  TOKEN_EXPIRED: { code: 4401, reason: 'token expired' },
  /** Nothing (no frame, no WebSocket pong) from the client for 2 × `heartbeat_ms`. */
  HEARTBEAT_TIMEOUT: { code: 4408, reason: 'heartbeat timeout: no frame for 2 × heartbeat_ms' },
  /** Another connection resumed this connection's session: do not resume it again. */
  SESSION_TAKEN_OVER: { code: 4409, reason: 'session resumed on another connection' },
} as const satisfies Record<string, { code: number; reason: string }>;

/** A name of the close-code registry. */
export type CloseCodeName = keyof typeof CloseCodes;

/** Every close code the hub sends, in registry order. */
export const CLOSE_CODE_LIST: readonly number[] = Object.values(CloseCodes).map((c) => c.code);

/**
 * Close codes after which a client has lost its connection rather than ended it: its presence memberships wait for
 * a `resume`. 1000 (normal), 1001 (going away) and 1005 (no status) mean the client closed the socket itself.
 */
export function isLostConnection(code: number | undefined): boolean {
  return code !== 1000 && code !== 1001 && code !== 1005;
}

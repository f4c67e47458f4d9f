import type { SharedFrame } from '../delivery/frames.js';

/**
 * One connected client as the hub core sees it, whatever the transport. The WebSocket transport
 * implements it; the core never touches a socket.
 */
export interface Peer {
  /**
   * Sends one text frame; never throws (a closed peer drops it). A {@link SharedFrame} is the same frame for many
   * peers: the transport encodes it once and keeps the bytes in its `wire` slot.
   */
  send(text: string | SharedFrame): void;
  /** Bytes queued for sending and not yet written to the network. */
  bufferedAmount(): number;
  /** Closes the connection with a WebSocket close code. */
  close(code: number, reason: string): void;
  /** The client's address and port as the transport sees them (`127.0.0.1:53210`), for logs. */
  readonly remote?: string;
}

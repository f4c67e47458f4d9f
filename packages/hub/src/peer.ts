/**
 * One connected client as the hub core sees it, whatever the transport. The WebSocket transport
 * implements it; the core never touches a socket.
 */
export interface Peer {
  /** Sends one text frame (a Buffer holds UTF-8 text); never throws (a closed peer drops it). */
  send(text: string | Buffer): void;
  /** Bytes queued for sending and not yet written to the network. */
  bufferedAmount(): number;
  /** Closes the connection with a WebSocket close code. */
  close(code: number, reason: string): void;
}

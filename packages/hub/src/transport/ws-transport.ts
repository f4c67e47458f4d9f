import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';
import { WebSocketServer, WebSocket } from 'ws';
import { CloseCodes, SUBPROTOCOL, WS_PATH } from '@switchboard/protocol';
import type { Peer } from '../connection/peer.js';
import { COMPRESS_MIN_BYTES, deflateWindow, sharedWire, singleWire } from './ws-frames.js';

/** How the WebSocket transport hands connections to the hub core. */
export interface WsHandlers {
  /** A socket opened; returns the handlers for its frames. */
  open(peer: Peer): {
    text(text: string, bytes: number): void;
    bad(message: string): void;
    pong(): void;
    /** A frame over `hardMaxPayload` arrived: the socket is being closed with 1009. */
    oversize(): void;
    close(code: number): void;
  };
}

export interface WsTransportOptions {
  /** Frames up to this size are read and answered (TOO_LARGE above `maxFrameBytes`); bigger ones close the socket with 1009. */
  hardMaxPayload: number;
  /** The server is shared with other handlers: an upgrade to another path is left to them (else it is refused with 400). */
  shared?: boolean;
  /**
   * Accept permessage-deflate (RFC 7692) from clients that offer it, without context takeover either way: frames of
   * 1 KiB to 256 KiB go compressed, and a frame shared by many subscribers is compressed once for all of them.
   */
  compression?: boolean;
}

/**
 * The WebSocket endpoint `GET /v1/ws`, attached to the hub's HTTP server. It turns sockets into
 * {@link Peer}s and text frames into calls on the core; it knows nothing of ops.
 */
export function attachWebSocket(server: HttpServer, handlers: WsHandlers, options: WsTransportOptions): { close(): Promise<void>; clients(): Set<WebSocket> } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.hardMaxPayload,
    perMessageDeflate: options.compression ? { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: COMPRESS_MIN_BYTES } : false,
    skipUTF8Validation: true,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  // A msg frame shared by many subscribers (see delivery/frames.ts) is framed once — WebSocket header and payload
  // in one Buffer, kept in the frame's `wire` slot — and that same Buffer is written to every subscriber's socket.
  // Server frames are not masked, and compressed ones carry no deflate context from one message to the next, so the
  // bytes are the same for every socket (of one window size). Frames are written to the socket directly, never
  // queued by `ws`, so writes keep their order.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://hub').pathname === WS_PATH) wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    else if (!options.shared) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  };
  server.on('upgrade', onUpgrade);
  // The permessage-deflate parameters a connection agreed to are in the handshake's answer (`ws` shows only names).
  const compression = options.compression === true;
  const accepted = new WeakMap<IncomingMessage, string>();
  if (compression) {
    wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const line = headers.find((h) => /^sec-websocket-extensions:/i.test(h));
      if (line) accepted.set(req, line.slice(line.indexOf(':') + 1).trim());
    });
  }
  wss.on('error', () => {});
  // Frames sent in one turn of the event loop leave in one write (writev) per socket instead of one syscall each:
  // a socket is corked at its first send and uncorked once the current callbacks and microtasks are done. One
  // tick uncorks every socket corked in the turn (a change sent to 250 subscribers schedules one, not 250).
  let toUncork: Socket[] = [];
  const uncorkAll = () => {
    const list = toUncork;
    toUncork = [];
    for (const socket of list) socket.uncork();
  };
  wss.on('connection', (ws, req: IncomingMessage) => {
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    const addr = req.socket.remoteAddress;
    socket?.setNoDelay?.(true);
    const window = compression ? deflateWindow(accepted.get(req) ?? '') : undefined;
    const peer: Peer = {
      send(text) {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (socket && socket.writableCorked === 0) {
          socket.cork();
          if (toUncork.push(socket) === 1) process.nextTick(uncorkAll);
        }
        if (!socket) ws.send(typeof text === 'string' ? text : text.text, { binary: false });
        else socket.write(typeof text === 'string' ? singleWire(text, window) : sharedWire(text, window));
      },
      bufferedAmount: () => ws.bufferedAmount,
      remote: addr === undefined ? undefined : `${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.remotePort}`,
      close(code, reason) {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      },
    };
    const conn = handlers.open(peer);
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return conn.bad('binary frames are not accepted; send each JSON object as a text frame');
      if (!isUtf8(data)) return conn.bad('frame is not valid UTF-8; send JSON text encoded as UTF-8');
      conn.text(data.toString('utf8'), data.length);
    });
    ws.on('pong', () => conn.pong());
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself (e.g. 1009 for a frame over hardMaxPayload)
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') conn.oversize();
    });
    ws.on('close', (code) => conn.close(code));
  });
  return {
    clients: () => wss.clients,
    close: () =>
      new Promise<void>((resolve) => {
        server.off('upgrade', onUpgrade);
        for (const c of wss.clients) c.close(CloseCodes.SHUTTING_DOWN.code, CloseCodes.SHUTTING_DOWN.reason);
        wss.close(() => resolve());
      }),
  };
}

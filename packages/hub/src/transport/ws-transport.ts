import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';
import * as wsModule from 'ws';
import { WebSocketServer, WebSocket } from 'ws';
import { SUBPROTOCOL, WS_PATH } from '@switchboard/protocol';
import type { Peer } from '../peer.js';

/** `ws`'s own framing (`Sender.frame`, public at runtime, not in its type declarations): one final text frame, unmasked. */
const frameText = (payload: Buffer): Buffer[] =>
  (wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender.frame(payload, { fin: true, opcode: 0x01, mask: false, readOnly: true, rsv1: false });

/** How the WebSocket transport hands connections to the hub core. */
export interface WsHandlers {
  /** A socket opened; returns the handlers for its frames. */
  open(peer: Peer): { text(text: string, bytes: number): void; bad(message: string): void; pong(): void; close(code: number): void };
}

export interface WsTransportOptions {
  /** Frames up to this size are read and answered (TOO_LARGE above `maxFrameBytes`); bigger ones close the socket with 1009. */
  hardMaxPayload: number;
}

/**
 * The WebSocket endpoint `GET /v1/ws`, attached to the hub's HTTP server. It turns sockets into
 * {@link Peer}s and text frames into calls on the core; it knows nothing of ops.
 */
export function attachWebSocket(server: HttpServer, handlers: WsHandlers, options: WsTransportOptions): { close(): Promise<void>; clients(): Set<WebSocket> } {
  const wss = new WebSocketServer({
    server,
    path: WS_PATH,
    maxPayload: options.hardMaxPayload,
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  // A msg frame shared by many subscribers (a Buffer, see delivery/frames.ts) is framed once — WebSocket header and
  // payload in one Buffer — and that same Buffer is written to every subscriber's socket, instead of `ws` framing it
  // again (a header allocation and two writes) per subscriber. Server frames are not masked, so the bytes are the
  // same for every socket; with permessage-deflate off `ws` never queues a frame, so writes keep their order.
  const framed = new WeakMap<Buffer, Buffer>();
  const frameOf = (payload: Buffer): Buffer => {
    let f = framed.get(payload);
    if (!f) {
      f = Buffer.concat(frameText(payload));
      framed.set(payload, f);
    }
    return f;
  };
  // The HTTP server's own 'error' (e.g. EADDRINUSE) is re-emitted here; the hub's listen() reports it.
  wss.on('error', () => {});
  wss.on('connection', (ws) => {
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    socket?.setNoDelay?.(true);
    // Frames sent in one turn of the event loop leave in one write (writev) instead of one syscall each:
    // the socket is corked at the first send and uncorked once the current callbacks and microtasks are done.
    let corked = false;
    const uncork = () => {
      corked = false;
      socket?.uncork();
    };
    const peer: Peer = {
      send(text) {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (!corked && socket) {
          corked = true;
          socket.cork();
          process.nextTick(uncork);
        }
        if (typeof text !== 'string' && socket) socket.write(frameOf(text));
        else ws.send(text, { binary: false });
      },
      bufferedAmount: () => ws.bufferedAmount,
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
    ws.on('error', () => {
      /* ws closes the socket itself (e.g. 1009 for a frame over hardMaxPayload) */
    });
    ws.on('close', (code) => conn.close(code));
  });
  return {
    clients: () => wss.clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.close(1001, 'hub shutting down');
        wss.close(() => resolve());
      }),
  };
}

/**
 * Raw `ws` relay — the floor any Node hub pays. Protocol: `{"op":"sub","topic":T}` subscribes the socket;
 * `{"op":"pub","topic":T,"data":…}` is parsed once (JSON.parse) and its received bytes are forwarded, unchanged,
 * as a text frame to every subscriber of T. No storage, no validation, no acks.
 * Run: node --import tsx bench/peers/ws-relay.ts  → prints `listening on http://127.0.0.1:PORT`.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const topics = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });

wss.on('connection', (ws) => {
  const mine = new Set<string>();
  ws.on('message', (buf: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    let f: { op?: unknown; topic?: unknown };
    try {
      f = JSON.parse(buf.toString()) as typeof f;
    } catch {
      return;
    }
    if (typeof f.topic !== 'string') return;
    if (f.op === 'pub') {
      const subs = topics.get(f.topic);
      if (subs) for (const s of subs) s.send(buf, { binary: false });
    } else if (f.op === 'sub') {
      let subs = topics.get(f.topic);
      if (!subs) topics.set(f.topic, (subs = new Set()));
      subs.add(ws);
      mine.add(f.topic);
      ws.send('{"op":"ok"}');
    }
  });
  ws.on('close', () => {
    for (const t of mine) topics.get(t)?.delete(ws);
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => {
  wss.close();
  http.close();
  process.exit(0);
});

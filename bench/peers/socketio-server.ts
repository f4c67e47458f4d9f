/**
 * Socket.IO 4 rooms — what a Node team picks today. `sub` (topic, ack) joins the room; `pub` (topic, payload)
 * emits `m` with the payload string to the room. websocket transport only, perMessageDeflate off.
 * Run: node --import tsx bench/peers/socketio-server.ts  → prints `listening on http://127.0.0.1:PORT`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

io.on('connection', (socket) => {
  socket.on('sub', (topic: string, ack?: () => void) => { void socket.join(topic); ack?.(); });
  socket.on('pub', (topic: string, payload: string) => { socket.to(topic).emit('m', payload); });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => { void io.close(); process.exit(0); });

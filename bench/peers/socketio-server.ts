/**
 * Socket.IO 4 rooms — what a Node team picks today. `sub` (topic, ack) joins the room; `pub` (topic, payload)
 * emits `m` with the payload string to the room. websocket transport only, perMessageDeflate off.
 *
 * Shared documents, as such a team would write them: the document lives in this process's memory.
 * `doc.sub` (name, ack) joins the room `doc:<name>` and acks `{version, value}`; `doc.create` (name, value, ack) sets
 * it; `doc.inc` (name, question, t, ack) adds 1 to `questions[question].votes` (one event loop: increments never
 * race), emits `doc.patch` `{version, q, votes, t}` to the room (the writer included) and acks `{version}`.
 * `t` is the writer's send time, carried back so that every subscriber can time the propagation.
 * Run: node --import tsx bench/peers/socketio-server.ts  → prints `listening on http://127.0.0.1:PORT`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface Doc {
  version: number;
  value: { questions: Record<string, { votes: number }> };
}
type Ack = (reply: unknown) => void;

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
const docs = new Map<string, Doc>();

io.on('connection', (socket) => {
  socket.on('sub', (topic: string, ack?: () => void) => {
    void socket.join(topic);
    ack?.();
  });
  socket.on('pub', (topic: string, payload: string) => {
    socket.to(topic).emit('m', payload);
  });
  socket.on('doc.create', (name: string, value: Doc['value'], ack: Ack) => {
    const doc = { version: (docs.get(name)?.version ?? 0) + 1, value };
    docs.set(name, doc);
    ack({ version: doc.version });
  });
  socket.on('doc.sub', (name: string, ack: Ack) => {
    void socket.join(`doc:${name}`);
    ack(docs.get(name) ?? { version: 0, value: null });
  });
  socket.on('doc.inc', (name: string, q: string, t: number, ack: Ack) => {
    const doc = docs.get(name);
    const question = doc?.value.questions[q];
    if (!doc || !question) {
      ack({ error: `no question ${q} in document ${name}` });
      return;
    }
    question.votes += 1;
    doc.version += 1;
    io.to(`doc:${name}`).emit('doc.patch', { version: doc.version, q, votes: question.votes, t });
    ack({ version: doc.version });
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});

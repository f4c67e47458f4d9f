import { matchChannel } from '@switchboard/protocol';
import type { WebSocketCtor, WebSocketLike } from '../../src/transport.js';

/**
 * An in-memory hub behind a fake WebSocket constructor, for unit tests of the SDK's connection logic
 * (reconnect, queue, resume, heartbeat) without a process. It implements the subset of PROTOCOL.md the SDK
 * uses, simply; the integration tests check the SDK against the real hub.
 */
export class FakeHub {
  /** Every frame received, in order, with the socket number. */
  readonly received: { conn: number; frame: any }[] = [];
  readonly logs = new Map<string, any[]>();
  readonly conns = new Set<FakeConn>();
  /** URL → accepting connections. */
  readonly up = new Map<string, boolean>();
  /** When set, answers hello with this err instead of welcome. */
  refuseHello: { code: string; message: string } | undefined;
  /** When true, the hub stops sending anything (a dead peer). */
  silent = false;
  heartbeatMs = 15_000;
  /** When true, a dropped connection's subscriptions are kept for `hello.resume` (as the real hub does). */
  parkSessions = false;
  readonly parked = new Map<string, { id: string; ch: string; ack: string }[]>();
  private sessions = 0;
  private subs = 0;
  private connCount = 0;
  private dedupe = new Map<string, number>();

  constructor(urls: string[] = ['ws://fake/v1/ws']) {
    for (const u of urls) this.up.set(u, true);
  }

  /** The WebSocket constructor to inject. */
  get WebSocket(): WebSocketCtor {
    const hub = this;
    return class implements WebSocketLike {
      readyState = 0;
      onopen: ((ev: any) => void) | null = null;
      onmessage: ((ev: any) => void) | null = null;
      onclose: ((ev: any) => void) | null = null;
      onerror: ((ev: any) => void) | null = null;
      conn: FakeConn | undefined;
      constructor(url: string) {
        setTimeout(() => {
          if (!hub.up.get(url)) {
            this.readyState = 3;
            this.onerror?.({ message: `connect ECONNREFUSED ${url}` });
            this.onclose?.({ code: 1006, reason: '' });
            return;
          }
          this.readyState = 1;
          this.conn = new FakeConn(hub, ++hub.connCount, url, this);
          hub.conns.add(this.conn);
          this.onopen?.({});
        }, 1);
      }
      send(data: string): void {
        if (this.readyState !== 1) return;
        const conn = this.conn!;
        setTimeout(() => hub.handle(conn, JSON.parse(data)), 0);
      }
      close(code = 1000, reason = ''): void {
        if (this.readyState >= 2) return;
        this.readyState = 3;
        if (this.conn) hub.conns.delete(this.conn);
        setTimeout(() => this.onclose?.({ code, reason }), 1);
      }
    };
  }

  /** Drops every connection (as a hub crash would); with `down`, refuses new ones until `start()`. */
  crash(down = true): void {
    if (down) for (const u of this.up.keys()) this.up.set(u, false);
    for (const c of [...this.conns]) c.drop();
  }

  start(url?: string): void {
    for (const u of this.up.keys()) if (url === undefined || u === url) this.up.set(u, true);
  }

  frames(op: string): any[] { return this.received.filter((r) => r.frame.op === op).map((r) => r.frame); }

  publishLocal(ch: string, type: string, data: unknown): number {
    return this.append(ch, { type, data, source: 'hub' });
  }

  private append(ch: string, m: { type: string; data: unknown; source: string; id?: string }): number {
    const log = this.logs.get(ch) ?? [];
    this.logs.set(ch, log);
    const env = { id: m.id ?? `h${log.length + 1}`, ch, type: m.type, source: m.source, ts: new Date().toISOString(), seq: log.length + 1, data: m.data };
    log.push(env);
    for (const c of this.conns) for (const s of c.subs.values()) if (matchChannel(s.ch, ch)) c.deliver(s, env);
    return env.seq;
  }

  handle(c: FakeConn, f: any): void {
    if (!this.conns.has(c)) return;
    this.received.push({ conn: c.n, frame: f });
    if (this.silent) return;
    switch (f.op) {
      case 'hello': {
        if (this.refuseHello) { c.send({ op: 'err', re: f.id, ...this.refuseHello }); return; }
        c.component = f.component;
        c.session = f.resume ?? `sess${++this.sessions}`;
        const welcome: any = { op: 'welcome', re: f.id, session: c.session, node: 'fake', heartbeat_ms: this.heartbeatMs, limits: { max_frame_bytes: 1 << 20, max_inflight: 1000 } };
        const parked = f.resume !== undefined ? this.parked.get(f.resume) : undefined;
        if (f.resume !== undefined) welcome.resumed = parked !== undefined;
        if (parked) {
          this.parked.delete(f.resume);
          for (const sub of parked) c.subs.set(sub.id, sub);
          welcome.subs = parked.map((x) => ({ sub: x.id, ch: x.ch, ack: x.ack }));
        }
        c.send(welcome);
        return;
      }
      case 'ping': c.send({ op: 'pong', re: f.id }); return;
      case 'pub': {
        if (f.type === 'bad') {
          c.send({ op: 'err', re: f.id, code: 'CONTRACT_VIOLATION', message: 'bid must be a number', details: [{ path: '/bid', rule: 'type', expected: 'number' }], ch: f.ch, msg_id: f.msg_id });
          return;
        }
        const key = `${f.ch}\u0000${f.msg_id}`;
        const dup = f.msg_id !== undefined ? this.dedupe.get(key) : undefined;
        if (dup !== undefined) { if (f.id !== undefined) c.send({ op: 'ok', re: f.id, seq: dup, duplicate: true }); return; }
        const seq = this.append(f.ch, { type: f.type, data: f.data, source: c.component, id: f.msg_id });
        if (f.msg_id !== undefined) this.dedupe.set(key, seq);
        if (f.id !== undefined) c.send({ op: 'ok', re: f.id, seq });
        return;
      }
      case 'sub': {
        const id = `s${++this.subs}`;
        const s = { id, ch: f.ch as string, ack: f.ack };
        let head = 0;
        const backlog: any[] = [];
        for (const [ch, log] of this.logs) {
          if (!matchChannel(s.ch, ch)) continue;
          head = Math.max(head, log.length);
          const from = f.from === 'earliest' ? 0 : f.from === 'latest' || f.from === undefined ? log.length : Number(f.from);
          backlog.push(...log.filter((e) => e.seq > from));
        }
        c.send({ op: 'ok', re: f.id, sub: id, head });
        c.subs.set(id, s);
        for (const env of backlog) c.deliver(s, env);
        return;
      }
      case 'unsub': c.subs.delete(f.sub); c.send({ op: 'ok', re: f.id }); return;
      case 'ack': return;
      case 'nack': {
        const s = c.subs.get(f.sub);
        const env = this.logs.get(f.ch)?.[f.seq - 1];
        if (s && env) c.send({ op: 'msg', sub: s.id, msg: env, redelivered: 1 });
        return;
      }
      case 'req': {
        const target = [...this.conns].find((x) => x.component === f.to && x !== c);
        if (!target) { c.send({ op: 'err', re: f.id, code: 'UNAVAILABLE', message: `no component "${f.to}" is connected` }); return; }
        const rid = `r${f.id}-${c.n}`;
        target.pendingReplies.set(rid, { conn: c, id: f.id });
        target.send({ op: 'req', rid, from: c.component, type: f.type, data: f.data });
        return;
      }
      case 'reply': {
        const p = c.pendingReplies.get(f.rid);
        if (!p) return;
        c.pendingReplies.delete(f.rid);
        if (f.error) p.conn.send({ op: 'err', re: p.id, code: f.error.code, message: f.error.message, details: f.error.details });
        else p.conn.send({ op: 'ok', re: p.id, data: f.data });
        return;
      }
      default:
        c.send({ op: 'err', re: f.id, code: 'UNKNOWN_OP', message: `unknown op ${f.op}` });
    }
  }
}

export class FakeConn {
  component = '';
  readonly subs = new Map<string, { id: string; ch: string; ack: string }>();
  readonly pendingReplies = new Map<string, { conn: FakeConn; id: unknown }>();
  constructor(private readonly hub: FakeHub, readonly n: number, readonly url: string, private readonly ws: any) {}

  send(frame: unknown): void {
    if (this.hub.silent || !this.hub.conns.has(this)) return;
    const text = JSON.stringify(frame);
    setTimeout(() => { if (this.ws.readyState === 1) this.ws.onmessage?.({ data: text }); }, 0);
  }

  deliver(s: { id: string }, env: unknown): void { this.send({ op: 'msg', sub: s.id, msg: env }); }

  session = '';

  drop(): void {
    if (this.hub.parkSessions && this.subs.size > 0) this.hub.parked.set(this.session, [...this.subs.values()]);
    this.hub.conns.delete(this);
    if (this.ws.readyState >= 2) return;
    this.ws.readyState = 3;
    setTimeout(() => this.ws.onclose?.({ code: 1006, reason: '' }), 1);
  }
}

import { randomUUID } from 'node:crypto';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { isErrorCode, PAYLOAD_MEMBERS, rawMembers, SwitchboardError } from '@switchboard/protocol';
import type { Cluster, ClusterNode, ClusterRequest, ReplyPayload } from '../../cluster/cluster.js';
import { noResponder } from '../../cluster/cluster.js';
import type { StoredMessage } from '../store.js';
import type { TrackedConnection } from './connection.js';
import { hash, type JetStreamNames } from './names.js';

/** Time added to a request's own timeout for the trip between nodes. */
const TRANSIT_MS = 1000;

/** Options of the NATS cluster bus. */
export interface NatsClusterOptions {
  /** How often the hub compares the heads of its subscribed channels with the store, in ms (default 10000; 0: only after a reconnect). */
  headCheckMs?: number;
  /** This node's id, as other nodes list it in `nodes()` (default: a random id). */
  nodeId?: string;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/**
 * The cluster bus on core NATS, on the JetStream store's connection:
 * - `<ns>.bus.msg` carries every announced message (`<instance>\n<seq>\n<ch>\n<envelope json>`) to every node;
 * - `<ns>.bus.req.<hash of component>` carries requests; the nodes serving a component subscribe to it in
 *   one queue group, so NATS picks one of them, and `no responders` means nobody serves it;
 * - `<ns>.bus.nodes` is asked by `nodes()`: every node answers with its id and start time.
 */
export function createNatsCluster(
  conn: TrackedConnection,
  names: JetStreamNames,
  logger: { warn(...args: unknown[]): void } = console,
  options: NatsClusterOptions = {},
): Cluster {
  const { nc } = conn;
  const instance = randomUUID();
  const self = { node: options.nodeId ?? `node-${instance.slice(0, 8)}`, since: new Date((options.now ?? Date.now)()).toISOString() };
  const msgSubject = names.bus('msg');
  const nodesSubject = names.bus('nodes');
  const subs = new Set<Subscription>();
  let receiver: ((m: StoredMessage) => void) | undefined;
  let resync: (() => void) | undefined;
  const runResync = (): void => {
    try {
      resync?.();
    } catch (err) {
      logger.warn({ err }, 'cluster: a resync failed');
    }
  };
  // Announcements sent while this node was disconnected are lost: check the heads once it is back.
  const unwatch = conn.onChange((up) => {
    if (up) runResync();
  });
  const headCheckMs = options.headCheckMs ?? 10_000;
  const headCheck =
    headCheckMs > 0
      ? setInterval(() => {
          if (conn.connected()) runResync();
        }, headCheckMs)
      : undefined;
  headCheck?.unref();

  const busSub = nc.subscribe(msgSubject, {
    callback: (err, m) => {
      if (err || !receiver) return;
      const parsed = parseAnnounce(m.string());
      if (!parsed || parsed.instance === instance) return;
      try {
        receiver(parsed.message);
      } catch (e) {
        logger.warn({ err: e }, 'cluster: a delivery of an announced message failed');
      }
    },
  });
  subs.add(busSub);
  subs.add(
    nc.subscribe(nodesSubject, {
      callback: (err, m) => {
        if (err) return;
        try {
          m.respond(JSON.stringify({ ...self, instance }));
        } catch {
          /* the asking node is gone */
        }
      },
    }),
  );

  return {
    kind: 'nats',
    announce(message) {
      if (!conn.connected()) return;
      try {
        nc.publish(msgSubject, `${instance}\n${message.seq}\n${message.ch}\n${message.json}`);
      } catch (err) {
        logger.warn({ err }, 'cluster: could not announce a message');
      }
    },
    onAnnounce(fn) {
      receiver = fn;
    },
    onResync(fn) {
      resync = fn;
    },
    serve(component, handler) {
      const sub = nc.subscribe(names.bus(`req.${hash(component)}`), {
        queue: 'serve',
        callback: (err, m) => {
          if (err) return;
          void answer(m, handler);
        },
      });
      subs.add(sub);
      return () => {
        subs.delete(sub);
        sub.unsubscribe();
      };
    },
    async request(req) {
      if (!conn.connected()) throw conn.unavailable(`reach component "${req.to}" on another node`);
      let reply: Msg;
      try {
        reply = await nc.request(names.bus(`req.${hash(req.to)}`), JSON.stringify(req), { timeout: req.timeoutMs + TRANSIT_MS });
      } catch (err) {
        const name = (err as Error).name ?? '';
        const message = String((err as Error).message ?? '');
        if (/NoResponders/i.test(name) || /no responders/i.test(message) || (err as { code?: unknown }).code === '503') throw noResponder(req.to);
        if (/Timeout/i.test(name) || /timeout/i.test(message)) {
          throw new SwitchboardError(
            'TIMEOUT',
            `"${req.to}" did not reply to "${req.type}" within ${req.timeoutMs} ms; raise timeout_ms or check that component`,
          );
        }
        throw conn.unavailable(`reach component "${req.to}" on another node`, err);
      }
      const text = reply.string();
      const body = JSON.parse(text) as { data?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
      if (body.error) {
        const code = isErrorCode(body.error.code) ? body.error.code : 'INTERNAL';
        throw new SwitchboardError(code, typeof body.error.message === 'string' ? body.error.message : `"${req.to}" replied with an error`, body.error.details);
      }
      return body.data === undefined ? { data: null } : { data: body.data, dataText: rawMembers(text, PAYLOAD_MEMBERS)?.data };
    },
    async nodes(waitMs = 500) {
      const found: ClusterNode[] = [{ ...self, self: true }];
      if (!conn.connected()) return found;
      try {
        const replies = await nc.requestMany(nodesSubject, '', { strategy: 'timer', maxWait: waitMs });
        for await (const m of replies) {
          const r = parseNode(m.string());
          if (r && r.instance !== instance) found.push({ node: r.node, since: r.since, self: false });
        }
      } catch (err) {
        logger.warn({ err }, 'cluster: listing the nodes failed; status shows this node only');
      }
      return [found[0]!, ...found.slice(1).sort((a, b) => a.node.localeCompare(b.node))];
    },
    async close() {
      receiver = undefined;
      resync = undefined;
      unwatch();
      if (headCheck) clearInterval(headCheck);
      for (const sub of subs) sub.unsubscribe();
      subs.clear();
    },
  };
}

async function answer(m: Msg, handler: (req: ClusterRequest) => Promise<ReplyPayload>): Promise<void> {
  let out: string;
  try {
    const reply = await handler(m.json<ClusterRequest>());
    out = '{"data":' + (reply.dataText ?? JSON.stringify(reply.data === undefined ? null : reply.data)) + '}';
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    out = JSON.stringify({
      error: { code: isErrorCode(e.code) ? e.code : 'INTERNAL', message: typeof e.message === 'string' ? e.message : 'request failed', details: e.details },
    });
  }
  try {
    m.respond(out);
  } catch {
    /* the requesting node is gone */
  }
}

function parseAnnounce(text: string): { instance: string; message: StoredMessage } | undefined {
  const a = text.indexOf('\n');
  const b = text.indexOf('\n', a + 1);
  const c = text.indexOf('\n', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const seq = Number(text.slice(a + 1, b));
  if (!Number.isInteger(seq)) return undefined;
  return { instance: text.slice(0, a), message: { ch: text.slice(b + 1, c), seq, json: text.slice(c + 1) } };
}

function parseNode(text: string): { node: string; since: string; instance: string } | undefined {
  try {
    const v = JSON.parse(text) as { node?: unknown; since?: unknown; instance?: unknown };
    if (typeof v.node === 'string' && typeof v.since === 'string' && typeof v.instance === 'string')
      return { node: v.node, since: v.since, instance: v.instance };
  } catch {
    /* not a node's answer */
  }
  return undefined;
}

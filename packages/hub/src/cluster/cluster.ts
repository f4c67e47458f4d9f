import { SwitchboardError, type EnvelopeMeta } from '@switchboard/protocol';
import type { StoredMessage } from '../store/store.js';

/** A request to a component, as it travels between hub nodes. */
export interface ClusterRequest {
  /** Component id of the requester. */
  from: string;
  /** Component id that should answer. */
  to: string;
  type: string;
  data: unknown;
  /** How long the requester waits for the reply, in ms. */
  timeoutMs: number;
  meta?: EnvelopeMeta;
  /** The requester's own JSON text of `data`, forwarded to the responder as written (see `rawMembers`). */
  dataText?: string;
}

/** The data of a reply, and the responder's own JSON text of it when the hub has it (forwarded as written). */
export interface ReplyPayload {
  data: unknown;
  dataText?: string;
}

/** A hub node of the deployment, as {@link Cluster.nodes} reports it. */
export interface ClusterNode {
  /** Its node id (`--node-id`). */
  node: string;
  /** ISO-8601 time the node's cluster bus started. */
  since: string;
  /** True for the node that asked. */
  self: boolean;
}

/**
 * How the hub nodes of one deployment reach each other, behind one async interface (the `Store` holds
 * what must survive; this carries what is live). The hub core talks only to this interface.
 * `createLocalCluster` (one node, the default) and `createNatsCluster` (core NATS subjects, next to the
 * JetStream store) implement it.
 *
 * Any implementation must:
 * - hand every message given to `announce` to the `onAnnounce` receiver of every other node, at most once,
 *   in the order this node announced them; it may lose some (while the network is down): a node learns of a
 *   missed durable message from the store, when the next one arrives or a subscriber reads the log, so a
 *   durable message is never lost through the cluster — an ephemeral one may be; call the `onResync`
 *   function after the bus reconnects and at a low frequency, so that a node that missed the announcement of
 *   the last message of a quiet channel still learns of it;
 * - never call a node's receiver with the messages that node announced itself;
 * - route a `request` to exactly one node that currently `serve`s `req.to`, and resolve or reject with what
 *   that node's handler resolved or rejected (its `SwitchboardError` code kept); reject with `UNAVAILABLE`
 *   when no node serves it, and with `TIMEOUT` when no answer came within `req.timeoutMs` (plus transit);
 * - never block the caller of `announce`, and never throw from it;
 * - list in `nodes` every node that answers within `waitMs` (this node always, first), and never reject.
 */
export interface Cluster {
  /** Short name of the implementation, e.g. `local` or `nats`. */
  readonly kind: string;
  /** Tells the other nodes about a message this node just stored (durable) or handed out (ephemeral). */
  announce(message: StoredMessage): void;
  /** Sets the receiver of the messages other nodes announce. */
  onAnnounce(receiver: (message: StoredMessage) => void): void;
  /**
   * Sets what to call when announcements may have been missed (the bus reconnected after a drop, and now and
   * then as a safety net): the hub then compares the heads of its subscribed durable channels with the store.
   */
  onResync(fn: () => void): void;
  /** Makes this node answer other nodes' requests to `component` with `handler`; returns a function that stops it. */
  serve(component: string, handler: (req: ClusterRequest) => Promise<ReplyPayload>): () => void;
  /** Sends a request to a node that serves `req.to` and resolves with the reply's data (and its text). */
  request(req: ClusterRequest): Promise<ReplyPayload>;
  /** The nodes that answer now (this one first), for status pages; waits at most `waitMs` for the others. */
  nodes(waitMs?: number): Promise<ClusterNode[]>;
  /** Stops receiving and serving (the connection, when shared with a store, stays the store's). */
  close(): Promise<void>;
}

/** The cluster of a single hub node (`nodeId` names it in {@link Cluster.nodes}): nothing to announce to, nobody else to ask. */
export function createLocalCluster(nodeId = 'hub-1', now: () => number = Date.now): Cluster {
  const since = new Date(now()).toISOString();
  return {
    nodes: async () => [{ node: nodeId, since, self: true }],
    kind: 'local',
    announce: () => undefined,
    onAnnounce: () => undefined,
    onResync: () => undefined,
    serve: () => () => undefined,
    request: (req) => Promise.reject(noResponder(req.to)),
    close: async () => undefined,
  };
}

/** The error of a request that no connection of any node can answer. */
export function noResponder(component: string): SwitchboardError {
  return new SwitchboardError('UNAVAILABLE', `no component "${component}" is connected; check the name or start that component`);
}

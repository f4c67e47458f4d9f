import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ContractSet } from '@switchboard/contracts';
import type { DocPatch, RawFrame } from '@switchboard/protocol';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import type { Cluster } from '../cluster/cluster.js';
import type { HubConfig } from '../config/config.js';
import type { SharedFrame } from '../delivery/frames.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Router } from '../publish/router.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { AuditEntry } from '../audit/audit.js';
import type {
  CallTrace,
  CallTracer,
  ClientErrorEvent,
  ConnectionEvent,
  DeliveredEvent,
  PublishedEvent,
  PublishTracer,
  RefusedEvent,
  TracedCall,
} from './hub-events.js';
import type { HubInspector } from './hub-inspector.js';
import type { GroupControl, GroupOutcomeEvent, GroupRouter } from './group-routing.js';

/**
 * A part of the hub that is not its core (documents and presence today; the admin API, webhooks and rollouts next):
 * a folder of its own that registers everything it adds through {@link FeatureHost}, once, when the hub is made.
 * The core calls what a feature registered and knows nothing else of it. In the spirit of fastify's plugins:
 * a feature never reaches into the core; what it needs is passed in the host.
 */
export interface HubFeature {
  /** Short name, for logs and errors (`shared-state`, `admin`, …). */
  readonly name: string;
  /** Registers the feature's socket ops, HTTP routes, connection hooks and lifecycle hooks. */
  register(host: FeatureHost): void;
}

/** What the hub lends a feature: its parts, and one call per kind of thing a feature can add. */
export interface FeatureHost {
  readonly config: HubConfig;
  readonly store: Store;
  readonly cluster: Cluster;
  /** The one publish path (what a feature publishes takes it too). */
  readonly router: Router;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  readonly auth: Authenticator;
  /** The contracts in force now (they can be swapped at run time: call this each time). */
  contracts(): ContractSet;
  /** What is connected, opened and consumed on this node now. */
  readonly inspect: HubInspector;
  /** The consumer groups of this node (to take back what their members hold). */
  readonly groups: GroupControl;
  /**
   * Writes an audit entry — who did what, when, and the outcome — as one JSON log line and on `$sys.audit` (read by
   * admins). For admin actions (contract reload, dead-letter replay and purge, webhook tests, rollouts, flags) and
   * security refusals. Never throws; never give it a token, secret or key.
   */
  audit(entry: AuditEntry): void;
  /**
   * Per-connection state: `open` is called for each new connection and returns the hooks the connection calls.
   * `ops` are the socket ops the hooks' `handle` answers (after `welcome`, like every op but `hello` and `ping`).
   */
  connection(spec: { ops?: readonly string[]; open(conn: FeatureConnection): ConnectionHooks }): void;
  /** Serves an HTTP route (the core answers 404 for a path no route matches, and 405 for another method). */
  route(route: HttpRoute): void;
  /** Takes the cluster-bus announcements whose `ch` starts with `prefix` (they are not channel messages). */
  announcements(prefix: string, handler: (message: StoredMessage) => void): void;
  /** Called when the cluster bus came back after an outage: catch up with what other nodes did meanwhile. */
  onResync(fn: () => void): void;
  /** Called when the hub stops, after the last connection closed and before the store closes. */
  onClose(fn: () => void | Promise<void>): void;
  /**
   * Watches the hub's paths: accepted publishes, refused publishes, deliveries, connections. A listener runs inline
   * on the path (it must not throw or block); the core builds an event only when some feature listens to its kind.
   */
  onPublished(fn: (e: PublishedEvent) => void): void;
  onRefused(fn: (e: RefusedEvent) => void): void;
  onDelivered(fn: (e: DeliveredEvent) => void): void;
  onConnection(fn: (e: ConnectionEvent) => void): void;
  /** Watches every error answered to a client, on the socket and over HTTP (refused hellos, refused ops, limits). */
  onClientError(fn: (e: ClientErrorEvent) => void): void;
  /**
   * Checks every publish, on the socket and over HTTP, after the token's permissions and before the publish path;
   * throws a `SwitchboardError` to refuse it (e.g. a rate limit). Runs inline on the publish path: keep it cheap.
   */
  guardPublish(fn: (attempt: PublishAttempt) => void): void;
  /** Checks every HTTP request the hub answers before its route runs; throws a `SwitchboardError` to refuse it. */
  guardHttp(fn: (req: IncomingMessage, res: ServerResponse) => void): void;
  /**
   * Traces the publish path: `tracer` is called before each store append and may set the envelope's meta (the trace
   * context it carries). One feature at most; it may be set from an {@link FeatureHost.onStart} function.
   */
  tracePublishes(tracer: PublishTracer): void;
  /**
   * Chooses which members of a consumer group each group message may go to (e.g. a canary's share by version).
   * One feature at most. See {@link GroupRouter}.
   */
  routeGroups(router: GroupRouter): void;
  /** Watches how group deliveries end (acked, nacked, ack wait passed) and how long each took; inline, like `onDelivered`. */
  onGroupOutcome(fn: (e: GroupOutcomeEvent) => void): void;
  /** Traces features' outbound calls (one feature at most: tracing); may be set from an {@link FeatureHost.onStart} function. */
  traceCalls(tracer: CallTracer): void;
  /** Starts the trace of an outbound call (e.g. a webhook attempt); `undefined` when tracing is off. */
  traceCall(call: TracedCall): CallTrace | undefined;
  /**
   * Adds a section `name` to the admin status (`GET /v1/admin/status`): `fn` is called on each status request and
   * its answer (JSON) is the section's value; when it throws, the section is `{"error": <message>}`.
   */
  statusSection(name: string, fn: () => unknown): void;
  /** The sections the features added with {@link FeatureHost.statusSection}, each answered now, by name. */
  statusSections(): Promise<Record<string, unknown>>;
  /**
   * Checks the value of every document whose name starts with `prefix` before an update is applied (as a document
   * contract does): a problem refuses the update with `CONTRACT_VIOLATION`, its message and details.
   */
  checkDocuments(prefix: string, check: (doc: string, value: unknown) => DocumentProblem | undefined): void;
  /** The first problem the features' {@link FeatureHost.checkDocuments} checks find with `value` as document `doc`. */
  documentCheck(doc: string, value: unknown): DocumentProblem | undefined;
  /**
   * Watches the changes of the documents whose name starts with `prefix`: made on this node, or announced by another
   * (in a cluster an announcement can be lost; the store has the truth). `local`: the patches, for a change made on
   * this node (who made each is their `by`). Inline: must not throw or block.
   */
  onDocumentChange(prefix: string, fn: (doc: string, version: number, local?: readonly DocPatch[]) => void): void;
  /** Tells the {@link FeatureHost.onDocumentChange} watchers that `doc` is at `version` (the shared-state feature calls it). */
  documentChanged(doc: string, version: number, local?: readonly DocPatch[]): void;
  /** Called by `hub.listen()` before the port opens, awaited (e.g. to load an SDK that only this feature needs). */
  onStart(fn: () => Promise<void>): void;
}

/** A publish about to take the publish path, as a {@link FeatureHost.guardPublish} function sees it. */
export interface PublishAttempt {
  component: string;
  ch: string;
  transport: 'ws' | 'http';
  /** The connection it came on (socket publishes). */
  connection?: FeatureConnection;
  /** The caller's address and port, when known. */
  remote?: string;
}

/** A connection as a feature sees it. */
export interface FeatureConnection {
  /** The authenticated identity (valid from `welcome` on). */
  identity(): Identity;
  /** The session id of the `welcome`. */
  session(): string;
  /** The client's address and port, when the transport knows them (for logs). */
  remote(): string | undefined;
  /** Sends a frame; a {@link SharedFrame} is encoded once for all connections it is sent to. */
  send(text: string | SharedFrame): void;
  /**
   * Replaces the identity of a connection that said hello with one for the same component (a refreshed token): its
   * permissions apply from the next op on, and the close at the token's expiry is armed again. Ignored otherwise.
   */
  reauthenticate(identity: Identity): void;
}

/** What a parked session keeps of a feature, until a `resume` takes it back or the session is forgotten. */
export interface ParkedFeatureState {
  /** The session was forgotten (its TTL passed, or the hub stops): let go of what is held. Idempotent. */
  release(): void;
}

/** The hooks a feature gives each connection. Every hook is optional; none may throw except `check` and `handle`. */
export interface ConnectionHooks {
  /** Runs one of the feature's ops; resolves with the fields of the `ok` reply. Throws a `SwitchboardError` to refuse. */
  handle?(op: string, frame: RawFrame): Promise<RawFrame> | RawFrame;
  /** Checks the frame of a core op (`hello`, `sub`) before it runs; throws a `SwitchboardError` to refuse it. */
  check?(op: 'hello' | 'sub', frame: RawFrame): void;
  /**
   * The token of a `hello` was verified and names `identity`: throws a `SwitchboardError` to refuse the `hello`
   * (e.g. too many connections of that component). After it returns, `close` or `park` follows when the connection ends.
   */
  admit?(identity: Identity): void;
  /** The `welcome` of `hello` was sent. */
  ready?(hello: RawFrame): void;
  /** A `sub` succeeded (its reply was sent). */
  subscribed?(sub: { id: string; pattern: string }, frame: RawFrame): void;
  /** A subscription ended by `unsub`. */
  unsubscribed?(subId: string): void;
  /**
   * The connection ended and its session is parked for `resume`; returns what a resume gives back (undefined when
   * nothing). `lost`: the connection was lost, not closed by the client. After `park`, `close` is not called.
   */
  park?(lost: boolean): ParkedFeatureState | undefined;
  /** The connection ended without being parked (it never said hello, or the hub stops). */
  close?(): void;
  /**
   * A `hello` resumed a parked session whose subscriptions `restoredSubs` (ids) were restored: take `parked` back.
   * `welcome` fields are added to the `welcome` frame; `activate` is called right after it was sent.
   */
  resume?(parked: ParkedFeatureState, restoredSubs: ReadonlySet<string>): Promise<{ welcome?: RawFrame; activate(): void } | undefined>;
}

/** An HTTP route of a feature. */
export interface HttpRoute {
  /** The path: exact, or a pattern matched against the whole pathname (its groups are passed to `handle`). */
  path: string | RegExp;
  /** Methods served (any when absent); another method gets 405 with an `allow` header and `hint` in the message. */
  methods?: readonly string[];
  /** What the path is for, said in the 405 message (e.g. "use GET to read a document"). */
  hint: string;
  handle(ctx: HttpContext): Promise<void>;
}

/** One HTTP request as a route sees it, with the helpers every route needs. */
export interface HttpContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Groups of the route's pattern (percent-encoded as in the path). */
  readonly params: readonly string[];
  /** The caller: `Authorization: Bearer <JWT>` (or dev mode), as on the socket. Throws UNAUTHENTICATED. */
  identify(): Promise<Identity>;
  /** The body as JSON (at most `limits.max_frame_bytes`); `text` is the body as sent. Throws BAD_FRAME or TOO_LARGE. */
  body(): Promise<{ value: unknown; text: string }>;
  /** Answers with a JSON body. */
  json(status: number, body: unknown): void;
}

/** What is wrong with a document's value: a sentence, and details (e.g. `[{path, message}]`, as a contract violation). */
export interface DocumentProblem {
  message: string;
  details: unknown;
}

import type { EnvelopeMeta, ErrorCode } from '@switchboard/protocol';
import type { GroupOutcomeEvent, GroupRouter } from './group-routing.js';

/** A message accepted on a channel (stored, on a durable channel), as the publish path saw it. */
export interface PublishedEvent {
  ch: string;
  seq: number;
  type: string;
  /** Component id of the publisher. */
  source: string;
  /** The envelope's `id`. */
  id: string;
  durable: boolean;
  /** `performance.now()` once the publish passed its checks and contract, before the store append (0 when nobody listened then). */
  receivedAt: number;
}

/** A publish the hub refused (contract violation, bad frame, unknown channel, store down, …). */
export interface RefusedEvent {
  /** The channel and type as given (undefined when not a string). */
  ch: string | undefined;
  type: string | undefined;
  source: string;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** One `msg` frame written to a subscriber (first delivery or redelivery). */
export interface DeliveredEvent {
  ch: string;
  seq: number;
  /** The subscription id on its connection (`s1`, …). */
  sub: string;
  component: string;
  session: string;
  group?: string;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  deliveries: number;
  /** The envelope as written in the frame (its `meta.traceparent` is what a trace continues from). */
  json: string;
}

/** A publish that passed its checks and contract, about to be stored or handed out, as a {@link PublishTracer} sees it. */
export interface TracedPublish {
  ch: string;
  type: string;
  source: string;
  /** The envelope's `id`. */
  id: string;
  durable: boolean;
  /** The envelope's meta, and the publisher's own text of it (when the transport kept it). */
  meta: EnvelopeMeta | undefined;
  metaText: string | undefined;
}

/** The trace of one publish, from before the store append to its result. */
export interface PublishTrace {
  /** The meta to store and deliver instead of the publisher's: the same with `traceparent` set (value and text alike). */
  readonly meta: EnvelopeMeta;
  readonly metaText: string | undefined;
  /** Traces the store append (durable channels): resolves or rejects as `appending` does. */
  append<T>(appending: Promise<T>): Promise<T>;
  /** The publish was accepted at `seq` (`duplicate`: a `msg_id` already stored, nothing written). */
  end(seq: number, duplicate: boolean): void;
  /** The publish failed after it was started. */
  fail(err: unknown): void;
}

/**
 * Traces the publish path (the tracing feature): called for each publish before it is stored, it may replace the
 * envelope's meta (to carry the trace context) and is told the result. At most one per hub; none when tracing is off,
 * and then the publish path calls nothing.
 */
export interface PublishTracer {
  start(p: TracedPublish): PublishTrace | undefined;
}

/** An outbound call a feature makes for a message (a webhook attempt), as a {@link CallTracer} sees it. */
export interface TracedCall {
  /** The span name (e.g. `webhook payments`). */
  name: string;
  /** The `traceparent` of the message the call is made for, when it has one: the call's span is its child. */
  parent?: string;
  /** Attributes of the span (OpenTelemetry names: `url.full`, `messaging.message.id`, …). */
  attributes: Record<string, string | number | boolean>;
}

/** The trace of one outbound call. */
export interface CallTrace {
  /** The `traceparent` of the call's span, for the request's header (the receiver continues from it). */
  readonly traceparent: string;
  /** The call ended: with a status (HTTP) and, when it failed, an error naming why. */
  end(result: { status?: number; error?: string }): void;
}

/** Traces outbound calls (a span each); set by the tracing feature when tracing is on. */
export interface CallTracer {
  start(call: TracedCall): CallTrace;
}

/** A connection that said hello (`open`, after its `welcome`) or ended (`close`). */
export interface ConnectionEvent {
  event: 'open' | 'close';
  component: string;
  session: string;
  /** The `hello.version`, when the component gave one. */
  version?: string;
  /** The WebSocket close code (`close` only). */
  code?: number;
}

/** An `err` the hub sent a client (socket) or an HTTP error it answered: what was refused, to whom, and why. */
export interface ClientErrorEvent {
  transport: 'ws' | 'http';
  /** The op of the refused frame (`hello`, `pub`, …), or `<METHOD> <path>` over HTTP; undefined for an unreadable frame. */
  op?: string;
  code: ErrorCode;
  message: string;
  /** The caller's component, once known (after `welcome`, or the HTTP caller's token). */
  component?: string;
  /** The caller's address and port, when the transport knows them. */
  remote?: string;
  /** The channel the frame or path names. */
  ch?: string;
}

type Listener<E> = (event: E) => void;

/**
 * What happens on the hub's paths, for the features that watch it (rates, metrics, traces, `$sys.*` events).
 * The core emits an event only when some feature listens, so an unwatched path builds nothing. A listener must
 * not throw and must not block: it runs inline on the publish and delivery paths.
 */
export class HubEvents {
  readonly published: Listener<PublishedEvent>[] = [];
  readonly refused: Listener<RefusedEvent>[] = [];
  readonly delivered: Listener<DeliveredEvent>[] = [];
  readonly connections: Listener<ConnectionEvent>[] = [];
  readonly clientErrors: Listener<ClientErrorEvent>[] = [];
  /** The tracer of the publish path, when tracing is on. */
  tracer: PublishTracer | undefined = undefined;
  /** Chooses the members a group message may go to, when a feature routes group messages. */
  groupRouter: GroupRouter | undefined = undefined;
  readonly groupOutcome: Listener<GroupOutcomeEvent>[] = [];
  /** The tracer of features' outbound calls, when tracing is on. */
  callTracer: CallTracer | undefined = undefined;

  emitPublished(e: PublishedEvent): void {
    for (const l of this.published) l(e);
  }

  emitRefused(e: RefusedEvent): void {
    for (const l of this.refused) l(e);
  }

  emitDelivered(e: DeliveredEvent): void {
    for (const l of this.delivered) l(e);
  }

  emitConnection(e: ConnectionEvent): void {
    for (const l of this.connections) l(e);
  }

  emitClientError(e: ClientErrorEvent): void {
    for (const l of this.clientErrors) l(e);
  }

  emitGroupOutcome(e: GroupOutcomeEvent): void {
    for (const l of this.groupOutcome) l(e);
  }
}

import type { ErrorCode } from '@switchboard/protocol';

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
}

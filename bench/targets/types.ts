/** What the load generator needs from each server under test. */
import type { ServerHandle } from '../lib/proc.js';

/** Called by a subscriber for every delivered payload: the publisher's sequence `n` and send time `t` (µs). */
export type OnSample = (n: number, t: number) => void;

export interface Publisher {
  /** Fire-and-forget publish of a pre-serialised 64-byte JSON payload. */
  send(payload: string): void;
  /** Publish and call `done` when the server acknowledged it (durable/acked targets only). */
  sendAcked?(payload: string, done: (err?: string) => void): void;
  close(): Promise<void>;
}

export interface Subscriber {
  close(): Promise<void>;
}

/** One fresh server process plus the means to connect clients to it. */
export interface Session {
  readonly server: ServerHandle;
  publisher(topic: string): Promise<Publisher>;
  subscriber(topic: string, on: OnSample): Promise<Subscriber>;
  /** Errors the clients saw (refusals, protocol errors), for the run record. */
  errors(): string[];
  /**
   * Opens one idle connection, as a real client of this server would hold it (Switchboard: connect + hello
   * answered by welcome; Socket.IO: its handshake; NATS: CONNECT answered); resolves once it is established.
   * The returned function drops it at once (no close handshake).
   */
  idle(): Promise<() => void>;
  /** Counters the server itself reports (e.g. Switchboard's ephemeral drops from /metrics). */
  counters?(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface Target {
  /** stable id used in file names and tables */
  readonly id: string;
  readonly label: string;
  /** true for Switchboard variants (rows that get ratios), false for peers */
  readonly isSwitchboard: boolean;
  /** supports `sendAcked` */
  readonly acked: boolean;
  /** undefined when it can run here; otherwise why not (e.g. nats-server missing) */
  unavailable?(): string | undefined;
  start(tmp: string): Promise<Session>;
}

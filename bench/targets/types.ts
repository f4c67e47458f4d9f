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

/**
 * Called by a document subscriber for every change it receives: the change's version (or revision) on the server,
 * and the generator time (µs) at which the update that made it was sent.
 */
export type OnDocChange = (version: number, t: number) => void;

/** One connection to a shared document: it is subscribed to the document and votes on it. */
export interface DocClient {
  /**
   * Adds 1 to the votes of `question` as one update, sent at `t` µs (the generator clock); `done` on the server's
   * answer to this writer (an error text when it refused or gave up).
   */
  vote(question: string, t: number, done: (err?: string) => void): void;
  close(): Promise<void>;
}

/**
 * A shared document, as a team would build it on this server: a JSON value `{"questions":{"q0":{"votes":0},…}}`
 * that many connections subscribe to and update with increments that must never race.
 */
export interface DocumentCapability {
  /** Creates document `doc` with these questions, each at 0 votes. */
  init(doc: string, questions: string[]): Promise<void>;
  /**
   * Opens connection number `index` (also its writer id), subscribed to `doc`; resolves once the subscription
   * is in place, so that every later change reaches `onChange`.
   */
  open(doc: string, index: number, onChange: OnDocChange): Promise<DocClient>;
  /** Reads the document afresh from the server (not from a subscriber) and returns the sum of all votes. */
  totalVotes(doc: string): Promise<number>;
  /** Client-side counters of the run, e.g. compare-and-set retries. */
  counters?(): Record<string, number>;
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
  /** Shared documents (the `doc` scenario); absent where the server has no such thing (the raw ws relay). */
  readonly documents?: DocumentCapability;
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

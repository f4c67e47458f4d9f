import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import { SwitchboardError } from '@switchboard/protocol';
import type {
  AppendInput,
  AppendResult,
  ChannelInfo,
  ChannelStoreOptions,
  GroupCursor,
  GroupOptions,
  KvKeysOptions,
  Store,
  StoredMessage,
  StoreLogger,
  VersionedValue,
} from '../store.js';
import { connectNats, type NatsConnectOptions, type TrackedConnection } from './connection.js';
import { storedEnvelope, withSeq } from './envelope.js';
import { JsGroup } from './group.js';
import { JsRequests, type StoredAck } from './requests.js';
import { jetStreamNames, type JetStreamNames } from './names.js';

/** Options of the JetStream store. */
export interface JetStreamStoreOptions extends NatsConnectOptions {
  /** Prefix of every stream, subject and bucket, so several hubs (or tests) can share one account (default `sb`). */
  namespace?: string;
  /** Replicas of each stream and bucket in a clustered NATS (default 1). */
  replicas?: number;
  /** JetStream duplicate window: the same `msgId` on a channel within it is stored once (ms, default 120000). */
  dedupeWindowMs?: number;
  /** Where warnings go, and one line when NATS goes and one when it comes back; default `console`. */
  logger?: StoreLogger;
}

/** The JetStream store and the connection it runs on (the cluster bus shares it). */
export interface JetStreamStore extends Store {
  readonly connection: TrackedConnection;
  readonly names: JetStreamNames;
}

/**
 * Opens the NATS JetStream store: several hub nodes connected to the same NATS share every channel, group
 * position and versioned value. Rejects with `UNAVAILABLE` when NATS cannot be reached.
 *
 * Mapping (see also the table in `store.ts`):
 * - one stream per durable channel (`<ns>_ch_<hash>`, one subject `<ns>.ch.<hash>`, the channel name in its
 *   description): the stream sequence is the channel's `seq`, gap-free, increasing and per channel, which
 *   a subject in a shared stream could not give; retention is the stream's `max_msgs` / `max_age`, dedupe its
 *   `duplicate_window` with the `Nats-Msg-Id` header (a duplicate's PubAck carries the first seq);
 * - a message is stored as its envelope with `seq` 0; `read` and `fetch` write the stream sequence in;
 * - one durable pull consumer per group (explicit ack, `ack_wait` from the group, no max deliver: the hub
 *   dead-letters after its own count and terms the message). The server keeps the shared position, the
 *   in-flight set, ack waits, nack delays (`-NAK {"delay"}`) and delivery counts, so a group spread over
 *   nodes hands each message to one fetch, and a node that dies leaves its deliveries to be redelivered after
 *   their ack wait. Nodes whose members have room keep waiting pull requests open (`GroupCursor.demand`), so
 *   the server shares new messages among them. Each ack, nack and term waits for the server's confirmation;
 * - one KV bucket per Switchboard bucket; compare-and-set is `Nats-Expected-Last-Subject-Sequence`.
 *
 * Durability policy: an append resolves once the JetStream server (the stream leader with its replicas in
 * a NATS cluster) stored it; with file storage it survives a restart of the server, and with replicas ≥ 3
 * the loss of one server. While NATS is not connected every call rejects with `UNAVAILABLE` at once: no
 * publish is buffered for a later reconnect. `close()` hands every delivery this node holds back to its
 * group (due at once).
 */
export async function openJetStreamStore(options: JetStreamStoreOptions): Promise<JetStreamStore> {
  const names = jetStreamNames(options.namespace ?? 'sb');
  const conn = await connectNats(options);
  try {
    const jsm = await jetstreamManager(conn.nc, { timeout: options.timeoutMs ?? 5000 });
    return new JetStreamStoreImpl(conn, jsm, jetstream(conn.nc, { timeout: options.timeoutMs ?? 5000 }), names, options);
  } catch (err) {
    await conn.close();
    throw new SwitchboardError(
      'UNAVAILABLE',
      `NATS at ${conn.servers} has no JetStream: ${(err as Error).message}; start nats-server with -js (JetStream enabled).`,
      undefined,
      { cause: err },
    );
  }
}

class JetStreamStoreImpl implements JetStreamStore {
  readonly kind = 'jetstream';
  private readonly streams = new Map<string, Promise<string>>();
  private readonly groups = new Map<string, Promise<JsGroup>>();
  private readonly buckets = new Map<string, Promise<KV>>();
  private readonly kvm: Kvm;
  private readonly requests: JsRequests;
  private readonly timeoutMs: number;
  private readonly dedupeWindowMs: number;
  private readonly replicas: number;
  private readonly logger: StoreLogger;
  private closed = false;
  /** Publishes of this event-loop turn, sent together (one socket write) on the next `setImmediate`. */
  private outbox: Array<() => void> = [];
  private outboxScheduled = false;

  constructor(
    readonly connection: TrackedConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    readonly names: JetStreamNames,
    options: JetStreamStoreOptions,
  ) {
    this.kvm = new Kvm(js);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.requests = new JsRequests(connection, this.timeoutMs);
    this.dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
    this.replicas = options.replicas ?? 1;
    this.logger = options.logger ?? console;
    let lostAt = 0;
    connection.onChange((up) => {
      if (!up) {
        lostAt = Date.now();
        this.logger.warn(
          { servers: connection.servers },
          `jetstream store: lost NATS at ${connection.servers}; appends are refused with UNAVAILABLE until it is back`,
        );
      } else
        this.logger.info?.(
          { servers: connection.servers, outage_ms: Date.now() - lostAt },
          `jetstream store: NATS at ${connection.servers} is back after ${Date.now() - lostAt} ms`,
        );
    });
  }

  async ensureChannel(ch: string, options: ChannelStoreOptions = {}): Promise<void> {
    this.check('declare a channel');
    const wanted = this.streamConfig(ch, options);
    const name = wanted.name;
    const p = this.call('declare a channel', async () => {
      const info = await this.streamInfo(name);
      if (!info) {
        await this.addStream(wanted);
        return name;
      }
      const c = info.config;
      if (c.max_msgs !== wanted.max_msgs || c.max_age !== wanted.max_age || c.duplicate_window !== wanted.duplicate_window) {
        await this.jsm.streams.update(name, { ...c, max_msgs: wanted.max_msgs, max_age: wanted.max_age, duplicate_window: wanted.duplicate_window });
      }
      return name;
    });
    this.streams.set(ch, p);
    p.catch(() => this.streams.delete(ch));
    await p;
  }

  async append(ch: string, input: AppendInput): Promise<AppendResult> {
    this.check('store the message');
    let text: string;
    try {
      text = storedEnvelope(ch, input);
    } catch (err) {
      throw new SwitchboardError('BAD_FRAME', `The message data cannot be serialised as JSON (${(err as Error).message}); send plain JSON values only.`);
    }
    await this.stream(ch);
    this.check('store the message');
    const subject = this.names.subject(ch);
    let ack: StoredAck;
    try {
      ack = await new Promise<StoredAck>((resolve, reject) => this.send(() => this.requests.publish(subject, text, input.msgId).then(resolve, reject)));
    } catch (err) {
      throw this.failure('store the message', err);
    }
    if (ack.duplicate) return { seq: ack.seq, duplicate: true };
    const message: StoredMessage = { ch, seq: ack.seq, json: withSeq(text, ack.seq) };
    return { seq: ack.seq, duplicate: false, message };
  }

  async read(ch: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    this.check('read the channel');
    if (!(limit > 0)) return [];
    const name = this.names.stream(ch);
    const info = await this.call('read the channel', () => this.streamInfo(name));
    if (!info) return [];
    const from = Math.max(afterSeq + 1, info.state.first_seq);
    const to = Math.min(info.state.last_seq, afterSeq + Math.floor(limit));
    if (from > to) return [];
    const seqs = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const got = await this.call('read the channel', () => Promise.all(seqs.map((seq) => this.jsm.direct.getMessage(name, { seq }))));
    const out: StoredMessage[] = [];
    for (const m of got) if (m) out.push({ ch, seq: m.seq, json: withSeq(m.string(), m.seq) });
    return out;
  }

  async info(ch: string): Promise<ChannelInfo> {
    this.check('read the channel');
    const info = await this.call('read the channel', () => this.streamInfo(this.names.stream(ch)));
    if (!info || info.state.last_seq === 0) return { first: 0, last: 0, count: 0 };
    const { first_seq: first, last_seq: last, messages: count } = info.state;
    return { first: count === 0 ? last + 1 : first, last, count };
  }

  async trim(ch: string, upToSeq: number): Promise<number> {
    this.check('purge the channel');
    const name = this.names.stream(ch);
    return this.call('purge the channel', async () => {
      const info = await this.streamInfo(name);
      if (!info || info.state.messages === 0) return 0;
      // Never past the last seq: a purge beyond it would move the stream's next seq and leave a gap.
      const upTo = Math.min(Math.floor(upToSeq), info.state.last_seq);
      if (!(upTo >= info.state.first_seq)) return 0;
      return (await this.jsm.streams.purge(name, { seq: upTo + 1 })).purged;
    });
  }

  async channels(): Promise<string[]> {
    this.check('list channels');
    return this.call('list channels', async () => {
      const out: string[] = [];
      for await (const si of this.jsm.streams.list(this.names.allChannelSubjects())) {
        if (si.config.name.startsWith(`${this.names.namespace}_ch_`) && si.state.last_seq > 0 && si.config.description) out.push(si.config.description);
      }
      return out.sort();
    });
  }

  async group(ch: string, group: string, options: GroupOptions): Promise<GroupCursor> {
    this.check('open a consumer group');
    if (!(options.ackWaitMs > 0)) {
      throw new SwitchboardError(
        'BAD_FRAME',
        `ackWaitMs of group "${group}" on "${ch}" must be a positive number of milliseconds, got ${String(options.ackWaitMs)}.`,
      );
    }
    const key = `${ch}\u0000${group}`;
    let p = this.groups.get(key);
    if (!p) {
      p = this.openGroup(ch, group, options);
      this.groups.set(key, p);
      p.catch(() => this.groups.delete(key));
    }
    return (await p).handle(options);
  }

  async kvGet(bucket: string, key: string): Promise<VersionedValue | undefined> {
    this.check('read a value');
    const kv = await this.bucket(bucket);
    const entry = await this.call('read a value', () => kv.get(this.names.key(key)));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: JSON.parse(entry.string()) as unknown, revision: entry.revision };
  }

  async kvPut(bucket: string, key: string, value: unknown, expectedRevision?: number): Promise<number> {
    this.check('write a value');
    const kv = await this.bucket(bucket);
    const k = this.names.key(key);
    const json = JSON.stringify(value ?? null);
    try {
      if (expectedRevision === undefined) return await kv.put(k, json);
      if (expectedRevision === 0) return await kv.create(k, json);
      return await kv.update(k, json, expectedRevision);
    } catch (err) {
      if (!isWrongLastSequence(err)) throw this.failure('write a value', err);
    }
    const current = await this.kvGet(bucket, key);
    const revision = current?.revision ?? 0;
    throw new SwitchboardError(
      'CONFLICT',
      revision === 0
        ? `Key "${key}" of bucket "${bucket}" does not exist, so revision ${expectedRevision} cannot match; write it with expected revision 0.`
        : `Key "${key}" of bucket "${bucket}" is at revision ${revision}, not ${expectedRevision}; read it again and retry with revision ${revision}.`,
      { revision },
    );
  }

  async ping(): Promise<void> {
    this.check('answer a ping');
    await this.call('answer a ping', () => this.jsm.getAccountInfo());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const groups = await Promise.allSettled([...this.groups.values()]);
    if (this.connection.connected()) {
      await Promise.all(groups.map((g) => (g.status === 'fulfilled' ? g.value.release() : undefined)));
    } else for (const g of groups) if (g.status === 'fulfilled') g.value.stopTimers();
    this.closed = true;
    this.requests.close();
    await this.connection.close();
  }

  /**
   * Runs `publish` with the others of this event-loop turn, in call order: the NATS client writes what one
   * microtask queued in one socket write, so appends arriving together (a burst of frames read at once) cost one
   * write instead of one each.
   */
  private send(publish: () => void): void {
    this.outbox.push(publish);
    if (this.outboxScheduled) return;
    this.outboxScheduled = true;
    setImmediate(() => {
      this.outboxScheduled = false;
      const batch = this.outbox;
      this.outbox = [];
      for (const fn of batch) fn();
    });
  }

  /** Rejects at once when the store is closed or NATS is not connected. */
  private check(action: string): void {
    if (this.closed)
      throw new SwitchboardError('UNAVAILABLE', 'The JetStream store is closed; open it again with openJetStreamStore (or restart the hub) before using it.');
    if (!this.connection.connected()) throw this.connection.unavailable(action);
  }

  private stream(ch: string): Promise<string> {
    let p = this.streams.get(ch);
    if (!p) {
      const wanted = this.streamConfig(ch, {});
      p = this.call('declare a channel', async () => ((await this.streamInfo(wanted.name)) ? wanted.name : this.addStream(wanted)));
      this.streams.set(ch, p);
      p.catch(() => this.streams.delete(ch));
    }
    return p;
  }

  private streamConfig(ch: string, options: ChannelStoreOptions): Partial<StreamConfig> & { name: string } {
    const maxAge = options.maxAgeMs !== undefined ? Math.max(1, Math.floor(options.maxAgeMs)) : 0;
    const window = maxAge > 0 ? Math.min(this.dedupeWindowMs, maxAge) : this.dedupeWindowMs;
    return {
      name: this.names.stream(ch),
      subjects: [this.names.subject(ch)],
      description: ch,
      max_msgs: options.maxMessages !== undefined ? Math.max(1, Math.floor(options.maxMessages)) : -1,
      max_age: nanos(maxAge),
      duplicate_window: nanos(window),
      num_replicas: this.replicas,
      allow_direct: true,
    } as Partial<StreamConfig> & { name: string };
  }

  private async addStream(config: Partial<StreamConfig> & { name: string }): Promise<string> {
    try {
      await this.jsm.streams.add(config);
    } catch (err) {
      // Another node created it meanwhile.
      if (!(await this.streamInfo(config.name))) throw err;
    }
    return config.name;
  }

  private async streamInfo(name: string): Promise<StreamInfo | undefined> {
    try {
      return await this.jsm.streams.info(name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
      throw err;
    }
  }

  private async openGroup(ch: string, group: string, options: GroupOptions): Promise<JsGroup> {
    const stream = await this.stream(ch);
    const durable = this.names.consumer(group);
    let created = false;
    const info = await this.call('open a consumer group', async () => {
      try {
        const existing = await this.jsm.consumers.info(stream, durable);
        if (existing.config.ack_wait !== nanos(options.ackWaitMs)) {
          // The channel's ack timeout changed since the group was created.
          await this.jsm.consumers
            .update(stream, durable, { ack_wait: nanos(options.ackWaitMs) })
            .catch((err: unknown) => this.logger.warn({ err }, `jetstream store: could not change the ack wait of group "${group}" on "${ch}"`));
        }
        return existing;
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
      }
      const from = options.from;
      let start: Record<string, unknown>;
      if (from === 'earliest') start = { deliver_policy: 'all' };
      else if (from === 'latest') start = { deliver_policy: 'new' };
      else if (typeof from === 'number' && Number.isInteger(from) && from >= 0) start = { deliver_policy: 'by_start_sequence', opt_start_seq: from + 1 };
      else
        throw new SwitchboardError(
          'BAD_FRAME',
          `"from" of group "${group}" on "${ch}" must be "earliest", "latest" or a seq (an integer >= 0), got ${JSON.stringify(from)}.`,
        );
      try {
        created = true;
        return await this.jsm.consumers.add(stream, {
          durable_name: durable,
          description: group,
          ack_policy: 'explicit',
          ack_wait: nanos(options.ackWaitMs),
          max_deliver: -1,
          max_ack_pending: 100_000,
          ...start,
        } as never);
      } catch (err) {
        // Another node created it meanwhile: join its position.
        try {
          return await this.jsm.consumers.info(stream, durable);
        } catch {
          created = false;
          throw err;
        }
      }
    });
    const host = {
      conn: this.connection,
      requests: this.requests,
      jsm: this.jsm,
      timeoutMs: this.timeoutMs,
      check: (action: string) => this.check(action),
      warn: (message: string, err: unknown) => this.logger.warn({ err }, `jetstream store: ${message}`),
    };
    // A new consumer reports its start (minus one) as delivered, not yet as its ack floor.
    const floor = created ? Math.max(info.ack_floor.stream_seq, info.delivered.stream_seq) : info.ack_floor.stream_seq;
    return new JsGroup(host, ch, group, stream, durable, floor, info.num_ack_pending);
  }

  async kvKeys(bucket: string, options: KvKeysOptions = {}): Promise<string[]> {
    this.check('list keys');
    const kv = await this.bucket(bucket);
    const prefix = options.prefix ?? '';
    const keys: string[] = [];
    await this.call('list keys', async () => {
      for await (const stored of await kv.keys()) {
        const key = this.names.unkey(stored);
        if (key.startsWith(prefix)) keys.push(key);
      }
    });
    return keys.sort(byCodePoint).slice(0, options.limit ?? 1000);
  }

  private bucket(name: string): Promise<KV> {
    let p = this.buckets.get(name);
    if (!p) {
      p = this.call('open a bucket', () => this.kvm.create(this.names.bucket(name), { history: 1, replicas: this.replicas, description: name } as never));
      this.buckets.set(name, p);
      p.catch(() => this.buckets.delete(name));
    }
    return p;
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failure(action, err);
    }
  }

  /** A SwitchboardError passes through; an API error is INTERNAL; anything else (timeouts, drops) is UNAVAILABLE. */
  private failure(action: string, err: unknown): SwitchboardError {
    if (err instanceof SwitchboardError) return err;
    if (err instanceof JetStreamApiError && err.status !== 503) {
      return new SwitchboardError('INTERNAL', `JetStream refused to ${action}: ${err.message} (API error ${err.code}).`, undefined, { cause: err });
    }
    return this.connection.unavailable(action, err);
  }
}

function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

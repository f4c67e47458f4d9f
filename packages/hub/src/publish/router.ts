import {
  channelNameProblem,
  dlqChannel,
  isErrorCode,
  MAX_PAYLOAD_DEPTH,
  nestedDeeperThan,
  SwitchboardError,
  DLQ_PREFIX,
  withMember,
  type EnvelopeMeta,
  type PubResult,
} from '@switchboard/protocol';
import type { Channel, ChannelTable, DeadLetterInput } from '../channels/channel-table.js';
import { createEnvelopeStamps, type EnvelopeStamps } from './envelope-stamps.js';
import { configDeclares, type HubConfig } from '../config/config.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { HubEvents } from '../features/hub-events.js';
import { encodeEnvelope } from '../store/envelope-json.js';

/** A publish as it reaches the router, from any transport. Fields are unchecked client input. */
export interface PublishInput {
  ch: unknown;
  type: unknown;
  data: unknown;
  msgId?: unknown;
  meta?: unknown;
  /**
   * The publisher's own JSON text of `data` and of `meta` (cut from the frame or body with `rawMembers`), when the
   * transport has it: stored and forwarded instead of a re-serialisation, so that every digit arrives as sent.
   */
  dataText?: string;
  metaText?: string;
  /** Component id of the publisher (authenticated). */
  source: string;
  /**
   * Set only by the hub itself (a feature publishing its events, a replay to a hub-owned channel such as a webhook's
   * `$webhook.<name>`): the channel may be a reserved `$` one (never a `$dlq.` log), and
   * `strict_channels` does not apply. Transports never set it.
   */
  system?: boolean;
}

export interface RouterDeps {
  store: Store;
  channels: ChannelTable;
  config: HubConfig;
  metrics: HubMetrics;
  /** Validates a message against its channel's contract; undefined when valid or when the channel has none. */
  validate: (ch: string, type: string, data: unknown) => { message: string; details: unknown[] } | undefined;
  /** Tells the other hub nodes about a message delivered here (the cluster's `announce`; none on one node). */
  announce?: (message: StoredMessage) => void;
  /** Message ids and timestamps for envelopes (default: random UUIDs and the wall clock). */
  stamps?: EnvelopeStamps;
  /** Where accepted and refused publishes are told to the features that watch them. */
  events?: HubEvents;
}

/** The publisher's texts of `data` and `meta` that reach the store, each only when its value does. */
interface PayloadText {
  data?: string;
  meta?: string;
}

const MAX_TYPE_LENGTH = 256;
const MAX_MSG_ID_LENGTH = 256;

/**
 * The one publish path: checks, contract validation, dead-lettering of refused messages, durable append
 * (or the ephemeral counter) and hand-over to the channel's listeners. The WebSocket and HTTP transports
 * both call {@link Router.publish}.
 */
export class Router {
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];

  private readonly stamps: EnvelopeStamps;

  constructor(private readonly deps: RouterDeps) {
    this.stamps = deps.stamps ?? createEnvelopeStamps();
  }

  /**
   * Publishes a message: the result once it is durable (durable channels) or handed out (ephemeral). An ephemeral
   * publish to an open channel completes synchronously (a value, or a thrown {@link SwitchboardError}); anything
   * that waits for the store returns a promise. Callers `await` either.
   */
  publish(input: PublishInput): PubResult | Promise<PubResult> {
    let result: PubResult | Promise<PubResult>;
    try {
      result = this.publishChecked(input);
    } catch (err) {
      this.countRefusal(err, input);
      throw err;
    }
    if (!(result instanceof Promise)) return result;
    this.inflight++;
    return result.then(
      (r) => {
        this.settled();
        return r;
      },
      (err: unknown) => {
        this.settled();
        this.countRefusal(err, input);
        throw err;
      },
    );
  }

  /** Resolves when no publish is in progress (used by a graceful stop). */
  idle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settled(): void {
    if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private countRefusal(err: unknown, input: PublishInput): void {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    const code = isErrorCode(e.code) ? e.code : 'INTERNAL';
    this.deps.metrics.rejected.inc({ code });
    const events = this.deps.events;
    if (events && events.refused.length > 0) {
      events.emitRefused({
        ch: typeof input.ch === 'string' ? input.ch : undefined,
        type: typeof input.type === 'string' ? input.type : undefined,
        source: input.source,
        code,
        message: typeof e.message === 'string' ? e.message : String(err),
        ...(e.details !== undefined ? { details: e.details } : {}),
      });
    }
  }

  /** Tells the features of an accepted message, before its delivery (a delivery's listener finds its publish). */
  private published(ch: string, seq: number, type: string, source: string, id: string, durable: boolean, receivedAt: number): void {
    const events = this.deps.events;
    if (events && events.published.length > 0) events.emitPublished({ ch, seq, type, source, id, durable, receivedAt });
  }

  private publishChecked(input: PublishInput): PubResult | Promise<PubResult> {
    const { ch, type, msgId, meta } = checkPublish(input);
    const data = input.data === undefined ? null : input.data;
    const text: PayloadText = { data: input.data === undefined ? undefined : input.dataText, meta: meta === undefined ? undefined : input.metaText };
    for (const [name, t] of [
      ['data', text.data],
      ['meta', text.meta],
    ] as const) {
      if (t !== undefined && nestedDeeperThan(t, MAX_PAYLOAD_DEPTH)) {
        throw new SwitchboardError(
          'BAD_FRAME',
          `"${name}" nests objects and arrays more than ${MAX_PAYLOAD_DEPTH} levels deep; flatten it (consumers in other languages could not read it)`,
        );
      }
    }
    const { config } = this.deps;
    if (config.strictChannels && input.system !== true && !this.deps.channels.contract(ch) && !configDeclares(config, ch)) {
      throw new SwitchboardError(
        'UNKNOWN_CHANNEL',
        `channel "${ch}" is not declared by any contract or config entry, and this hub runs with strict_channels; add it to a contract or to switchboard.yaml`,
      );
    }
    const violation = this.deps.validate(ch, type, data);
    if (violation) {
      return this.deadLetter({
        ch,
        type,
        source: input.source,
        data,
        meta,
        dataText: text.data,
        metaText: text.meta,
        reason: violation.message,
        code: 'CONTRACT_VIOLATION',
        details: violation.details,
        msgId,
      }).then(() => {
        throw new SwitchboardError('CONTRACT_VIOLATION', violation.message, violation.details);
      });
    }
    const open = this.deps.channels.peek(ch);
    if (open) return this.append(open, ch, type, input.source, data, msgId, meta, text);
    return this.deps.channels.get(ch).then((channel) => this.append(channel, ch, type, input.source, data, msgId, meta, text));
  }

  private append(
    channel: Channel,
    ch: string,
    type: string,
    source: string,
    data: unknown,
    msgId: string | undefined,
    meta: EnvelopeMeta | undefined,
    text: PayloadText,
  ): PubResult | Promise<PubResult> {
    const ts = this.stamps.isoNow();
    const id = msgId ?? this.stamps.uuid();
    const receivedAt = this.deps.events && this.deps.events.published.length > 0 ? performance.now() : 0;
    // Tracing on: the publish span starts here and its context replaces `meta.traceparent` (nothing is called when off).
    const trace = this.deps.events?.tracer?.start({ ch, type, source, id, durable: channel.durable, meta, metaText: text.meta });
    if (trace) {
      meta = trace.meta;
      text = { data: text.data, meta: trace.metaText };
    }
    if (!channel.durable) {
      const seq = channel.head + 1;
      let json: string;
      try {
        json = encodeEnvelope({ id, ch, type, source, ts, seq, data, meta }, text.data, text.meta);
      } catch (err) {
        trace?.fail(err);
        throw new SwitchboardError(
          'BAD_FRAME',
          `the message data cannot be serialised as JSON (${(err as Error).message}); send plain JSON values, nested less deeply`,
        );
      }
      const message = { ch, seq, json };
      this.published(ch, seq, type, source, id, false, receivedAt);
      channel.deliver(message);
      this.deps.announce?.(message);
      trace?.end(seq, false);
      return { seq };
    }
    const appendStarted = performance.now();
    const appending = this.deps.store.append(ch, { id, type, source, ts, data, meta, dataText: text.data, metaText: text.meta, msgId });
    return (trace ? trace.append(appending) : appending).then((result) => {
      this.deps.metrics.storeAppendSeconds.series('').observe((performance.now() - appendStarted) / 1e3);
      trace?.end(result.seq, result.duplicate);
      if (result.duplicate) return { seq: result.seq, duplicate: true };
      this.published(ch, result.seq, type, source, id, true, receivedAt);
      if (result.message) {
        channel.deliver(result.message);
        this.deps.announce?.(result.message);
      }
      return { seq: result.seq };
    });
  }

  /** Keeps a refused or undeliverable message, with the reason, in `$dlq.<ch>`. */
  async deadLetter(input: DeadLetterInput): Promise<number> {
    const dlq = dlqChannel(input.ch);
    const channel = await this.deps.channels.get(dlq);
    const dlqMeta: Record<string, unknown> = { reason: input.reason, code: input.code, original_ch: input.ch };
    if (input.details !== undefined) dlqMeta.details = input.details;
    if (input.msgId !== undefined) dlqMeta.msg_id = input.msgId;
    if (input.seq !== undefined) dlqMeta.original_seq = input.seq;
    if (input.deliveries !== undefined) dlqMeta.deliveries = input.deliveries;
    // The publisher's meta text with `dlq` added; re-encoded only when that meta has a `dlq` of its own (replaced).
    const metaText =
      input.metaText !== undefined && !(input.meta && Object.hasOwn(input.meta, 'dlq'))
        ? withMember(input.metaText, 'dlq', JSON.stringify(dlqMeta))
        : undefined;
    const appendStarted = performance.now();
    const result = await this.deps.store.append(dlq, {
      id: this.stamps.uuid(),
      type: input.type,
      source: input.source,
      ts: this.stamps.isoNow(),
      data: input.data,
      meta: { ...(input.meta ?? {}), dlq: dlqMeta },
      dataText: input.dataText,
      metaText,
    });
    this.deps.metrics.storeAppendSeconds.series('').observe((performance.now() - appendStarted) / 1e3);
    this.deps.metrics.deadLettered.inc();
    if (result.message) {
      channel.deliver(result.message);
      this.deps.announce?.(result.message);
    }
    return result.seq;
  }
}

/** Checks the fields of a publish and returns them typed, or throws BAD_FRAME / UNKNOWN_CHANNEL / TOO_LARGE. */
export function checkPublish(input: PublishInput): { ch: string; type: string; msgId?: string; meta?: EnvelopeMeta } {
  if (typeof input.ch !== 'string') throw new SwitchboardError('BAD_FRAME', '"ch" must be a string naming the channel, e.g. "market.ticks"');
  // The hub itself (a feature, or a replay of a hub-owned channel's dead letter) may use reserved names, never `$dlq.`.
  const problem = channelNameProblem(input.ch, 256, input.system === true && input.ch.startsWith('$') && !input.ch.startsWith(DLQ_PREFIX));
  if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `cannot publish to "${input.ch}": ${problem}`);
  if (typeof input.type !== 'string' || input.type.length === 0 || input.type.length > MAX_TYPE_LENGTH) {
    throw new SwitchboardError('BAD_FRAME', `"type" must be a non-empty string of at most ${MAX_TYPE_LENGTH} characters naming the message type, e.g. "tick"`);
  }
  let msgId: string | undefined;
  if (input.msgId !== undefined && input.msgId !== null) {
    if (typeof input.msgId !== 'string' || input.msgId.length === 0 || input.msgId.length > MAX_MSG_ID_LENGTH) {
      throw new SwitchboardError('BAD_FRAME', `"msg_id" must be a non-empty string of at most ${MAX_MSG_ID_LENGTH} characters (a UUID is best)`);
    }
    msgId = input.msgId;
  }
  let meta: EnvelopeMeta | undefined;
  if (input.meta !== undefined && input.meta !== null) {
    if (typeof input.meta !== 'object' || Array.isArray(input.meta))
      throw new SwitchboardError('BAD_FRAME', '"meta" must be an object such as {"correlation_id":"…"}');
    const m = input.meta as EnvelopeMeta;
    if (m.priority !== undefined && m.priority !== 'high' && m.priority !== 'medium' && m.priority !== 'low') {
      throw new SwitchboardError('BAD_FRAME', '"meta.priority" must be "high", "medium" or "low"');
    }
    meta = m;
  }
  return { ch: input.ch, type: input.type, msgId, meta };
}

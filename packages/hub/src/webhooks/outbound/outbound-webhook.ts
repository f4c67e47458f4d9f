import { matchChannel } from '@switchboard/protocol';
import type { OutboundWebhookConfig } from '../../config/webhooks-config.js';
import type { FeatureHost } from '../../features/feature.js';
import type { GroupCursor, GroupDelivery, GroupStart } from '../../store/store.js';
import { Breaker, BREAKER_GAUGE, type BreakerSnapshot, type BreakerState } from './breaker.js';
import { deadLetterWebhook, type AttemptRecord } from './webhook-dead-letter.js';
import { WebhookSender, type AttemptResult } from './webhook-sender.js';
import { WebhookStateStore, type PersistedWebhookState } from './webhook-state.js';

/** What a webhook needs of the hub and of the world. */
export interface OutboundDeps {
  host: FeatureHost;
  now: () => number;
  /** In [0, 1): the jitter of retry delays. */
  random: () => number;
  /** Publishes one `$sys.alerts` event. */
  alert: (data: Record<string, unknown>) => void;
}

/** How a webhook's attempts end, the `outcome` label of `switchboard_webhook_deliveries_total`. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'dead_lettered' | 'aborted' | 'gone';

/** The consumer group of every webhook on each of its channels. */
export function webhookGroup(name: string): string {
  return `$webhook.${name}`;
}

/** The hub-owned channel a webhook's dead letters are replayed to (its own input, besides its channels). */
export function webhookChannel(name: string): string {
  return `$webhook.${name}`;
}

interface ChannelState {
  cursor: GroupCursor;
  /** Something may be fetched (a publish, a due redelivery, the periodic check). */
  dirty: boolean;
  /** `ordered`: nothing is fetched before this time (a retry of the head is waiting). */
  blockedUntil: number;
}

const FETCH_MAX = 64;
const TICK_MS = 1000;
/** Added to the attempt timeout for the ack wait of the webhook's groups (then the store hands a message out again). */
const ACK_WAIT_MARGIN_MS = 10_000;

/**
 * One outbound webhook: a consumer group `$webhook.<name>` on each channel its patterns match (the position lives in
 * the store: shared in a cluster, kept across restarts), a sender, a circuit breaker. Each message is POSTed until
 * an answer 2xx (ack), retried on the schedule through the group's nack delays (so a restart keeps going), and
 * dead-lettered to `$dlq.$webhook.<name>` after the last retry.
 */
export class OutboundWebhook {
  private readonly channels = new Map<string, ChannelState>();
  private readonly opening = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, AttemptRecord[]>();
  /** The target without its query (which may hold a key), for traces. */
  private readonly target: string;
  private readonly sender: WebhookSender;
  private readonly breaker: Breaker;
  private readonly state: WebhookStateStore;
  private disabled: PersistedWebhookState['disabled'];
  private inFlight = 0;
  private pumping = false;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = { delivered: 0, retry: 0, dead_lettered: 0, aborted: 0, gone: 0 };
  private last: (AttemptRecord & { seq: number; ch: string }) | undefined;

  constructor(
    readonly config: OutboundWebhookConfig,
    private readonly deps: OutboundDeps,
  ) {
    this.sender = new WebhookSender(config, deps.now);
    const url = new URL(config.url);
    this.target = url.origin + url.pathname;
    this.state = new WebhookStateStore(deps.host.store, config.name, (err, msg) => deps.host.log.warn({ err }, msg));
    this.breaker = new Breaker(config.breaker, deps.now, (s, reason) => this.breakerChanged(s, reason));
  }

  /** Loads the persisted state, opens the groups of the channels that exist now, and starts delivering. */
  async start(): Promise<void> {
    const saved = await this.state.load();
    if (saved) {
      this.breaker.restore(saved.breaker);
      if (saved.disabled && saved.disabled.url === this.config.url) this.disabled = saved.disabled;
    }
    const existing = (await this.deps.host.store.channels()).filter((ch) => this.matches(ch));
    // A webhook sends what is published after it first started; a restart resumes from the group's position.
    await Promise.all(existing.map((ch) => this.open(ch, ch === webhookChannel(this.config.name) ? 'earliest' : 'latest')));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.pump();
  }

  /** Whether messages of `ch` go to this webhook. */
  matches(ch: string): boolean {
    if (ch === webhookChannel(this.config.name)) return true;
    if (ch.startsWith('$')) return false;
    return this.config.channels.some((p) => matchChannel(p, ch));
  }

  /** A message was stored on `ch` (seq `seq`) by this node. */
  published(ch: string, seq: number): void {
    const c = this.channels.get(ch);
    if (c) {
      c.dirty = true;
      this.pump();
    } else void this.open(ch, Math.max(0, seq - 1)).then(() => this.pump());
  }

  /** What `switchboard webhooks status` shows. */
  async status(): Promise<Record<string, unknown>> {
    return {
      name: this.config.name,
      url: this.config.url,
      channels: this.config.channels,
      ...(this.config.types ? { types: this.config.types } : {}),
      enabled: !this.disabled,
      ...(this.disabled ? { disabled: this.disabled } : {}),
      breaker: this.breaker.state(),
      in_flight: this.inFlight,
      lag: await this.lag(),
      ordered: this.config.ordered,
      max_in_flight: this.config.maxInFlight,
      outcomes: { ...this.counts },
      ...(this.last ? { last_attempt: this.last } : {}),
    };
  }

  /** Messages of its channels not yet answered 2xx (head − ack floor of each group), as this node knows. */
  async lag(): Promise<number> {
    let sum = 0;
    for (const [ch, c] of this.channels) sum += Math.max(0, (await this.deps.host.store.info(ch)).last - c.cursor.ackFloor());
    return sum;
  }

  breakerState(): BreakerState {
    return this.breaker.state();
  }

  /** Sends one signed `webhook.test` message (not stored, not retried) and resolves with the answer. */
  test(body: string, id: string): Promise<AttemptResult> {
    return this.sender.send(id, body);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.opening.values()]);
    for (const c of this.channels.values()) await c.cursor.close().catch(() => {});
    this.channels.clear();
    await this.sender.close();
  }

  private open(ch: string, from: GroupStart): Promise<void> {
    let p = this.opening.get(ch);
    if (p) return p;
    p = (async () => {
      try {
        const cursor = await this.deps.host.store.group(ch, webhookGroup(this.config.name), {
          from,
          ackWaitMs: this.config.timeoutMs + ACK_WAIT_MARGIN_MS,
          onReady: () => {
            const c = this.channels.get(ch);
            if (c) c.dirty = true;
            this.pump();
          },
        });
        if (this.closed) await cursor.close();
        else this.channels.set(ch, { cursor, dirty: true, blockedUntil: 0 });
      } catch (err) {
        this.opening.delete(ch);
        this.deps.host.log.warn({ err, ch }, `webhook "${this.config.name}": cannot open its group on ${ch}; tried again with the next message`);
      }
    })();
    this.opening.set(ch, p);
    return p;
  }

  private tick(): void {
    for (const c of this.channels.values()) c.dirty = true;
    this.pump();
  }

  /** Fetches and starts attempts while there is room (in-flight window, breaker), one pass at a time. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((err: unknown) => this.deps.host.log.warn({ err }, `webhook "${this.config.name}": fetching from the store failed; tried again in a second`))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private lowWater(): number {
    return this.config.ordered ? 0 : Math.floor(this.config.maxInFlight / 2);
  }

  private room(): number {
    if (this.disabled || this.closed) return 0;
    const window = this.config.ordered ? 1 : this.config.maxInFlight;
    return Math.min(window - this.inFlight, this.breaker.allowance());
  }

  private async fill(): Promise<void> {
    for (;;) {
      let progress = false;
      for (const [ch, c] of this.channels) {
        const room = this.room();
        if (room <= 0) return;
        if (!c.dirty || c.blockedUntil > this.deps.now()) continue;
        const batch = await c.cursor.fetch(Math.min(room, FETCH_MAX));
        if (batch.length < Math.min(room, FETCH_MAX)) c.dirty = false;
        if (batch.length === 0) {
          c.cursor.demand?.(room);
          continue;
        }
        progress = true;
        for (const d of batch) this.begin(ch, c, d);
      }
      if (!progress) return;
    }
  }

  private begin(ch: string, c: ChannelState, d: GroupDelivery): void {
    const seq = d.message.seq;
    const env = JSON.parse(d.message.json) as { id: string; type: string; meta?: { traceparent?: unknown } };
    if (this.config.types && !this.config.types.includes(env.type)) {
      void c.cursor.ack(seq).catch(() => {});
      return;
    }
    if (this.config.ordered && seq > c.cursor.ackFloor() + 1) {
      // An earlier message of the channel is still out (on another node, or before a restart): wait for it.
      c.blockedUntil = this.deps.now() + 200;
      void c.cursor.nack(seq, 0).catch(() => {});
      return;
    }
    this.inFlight++;
    this.breaker.started();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight--;
      // Refill when half the window is free (one store read for many slots), or at once for a small window.
      if (this.inFlight <= this.lowWater()) this.pump();
    };
    const traceparent = typeof env.meta?.traceparent === 'string' ? env.meta.traceparent : undefined;
    const trace = this.deps.host.traceCall({
      name: `webhook ${this.config.name}`,
      ...(traceparent !== undefined ? { parent: traceparent } : {}),
      attributes: {
        'http.request.method': 'POST',
        'url.full': this.target,
        'messaging.destination.name': ch,
        'messaging.message.id': env.id,
        'switchboard.webhook.name': this.config.name,
        'switchboard.webhook.attempt': d.deliveries,
      },
    });
    void this.sender
      .send(env.id, d.message.json, trace?.traceparent ?? traceparent)
      .then((r) => {
        trace?.end({ ...(r.status !== undefined ? { status: r.status } : {}), ...(r.error !== undefined ? { error: r.error } : {}) });
        const settled = this.settle(ch, c, d, r);
        // The answer frees the slot; the store's ack (or nack) goes on meanwhile. Ordered: the next waits for it.
        if (!this.config.ordered) release();
        return settled;
      })
      .catch((err: unknown) =>
        this.deps.host.log.warn({ err, ch, seq }, `webhook "${this.config.name}": an attempt could not be settled; the store hands it out again`),
      )
      .finally(release);
  }

  private async settle(ch: string, c: ChannelState, d: GroupDelivery, r: AttemptResult): Promise<void> {
    const { name } = this.config;
    const seq = d.message.seq;
    const key = `${ch}\u0000${seq}`;
    const record: AttemptRecord = {
      at: new Date(r.timestamp * 1000).toISOString(),
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    };
    this.last = { ...record, ch, seq };
    const history = [...(this.attempts.get(key) ?? []), record];
    this.deps.host.metrics.webhookAttemptSeconds.series(name).observe(r.seconds);
    if (!r.gone) this.breaker.record(r.ok || r.abort);
    let outcome: DeliveryOutcome;
    if (r.ok) {
      outcome = 'delivered';
      this.attempts.delete(key);
      await c.cursor.ack(seq);
    } else if (r.abort) {
      outcome = 'aborted';
      this.attempts.delete(key);
      await deadLetterWebhook(this.deps.host.router, this.config, ch, d, history, 'the endpoint answered with webhook-delivery: abort-message');
      await c.cursor.term(seq);
    } else if (r.gone) {
      outcome = 'gone';
      this.attempts.set(key, history);
      await this.disable(`the endpoint answered 410 Gone to message ${seq} of ${ch}`);
      await c.cursor.nack(seq, 0);
    } else if (d.deliveries > this.config.retryScheduleMs.length) {
      outcome = 'dead_lettered';
      this.attempts.delete(key);
      await deadLetterWebhook(this.deps.host.router, this.config, ch, d, history, `no 2xx answer after ${d.deliveries} attempts`);
      await c.cursor.term(seq);
    } else {
      outcome = 'retry';
      this.attempts.set(key, history);
      const planned = this.config.retryScheduleMs[d.deliveries - 1]!;
      const delay = Math.max(Math.round(planned * (1 + 0.2 * this.deps.random())), r.retryAfterMs ?? 0);
      if (this.config.ordered) c.blockedUntil = this.deps.now() + delay;
      await c.cursor.nack(seq, delay);
    }
    this.counts[outcome]++;
    this.deps.host.metrics.webhookDeliveries.series(name, outcome).inc();
  }

  private async disable(reason: string): Promise<void> {
    if (this.disabled) return;
    this.disabled = { at: new Date(this.deps.now()).toISOString(), reason, url: this.config.url };
    this.deps.host.log.warn({ webhook: this.config.name }, `webhook "${this.config.name}" disabled: ${reason}`);
    this.deps.alert({
      alert: 'webhook_disabled',
      state: 'firing',
      webhook: this.config.name,
      message: `webhook "${this.config.name}" is disabled: ${reason}; fix the endpoint or change its url in switchboard.yaml, then restart`,
    });
    await this.state.save({ breaker: { state: this.breaker.state() }, disabled: this.disabled });
  }

  private breakerChanged(s: BreakerSnapshot, reason: string): void {
    const { name } = this.config;
    this.deps.host.log.warn({ webhook: name, breaker: s.state }, `webhook "${name}": circuit breaker ${s.state}: ${reason}`);
    this.deps.alert({
      alert: 'webhook_breaker',
      state: s.state === 'closed' ? 'resolved' : 'firing',
      webhook: name,
      breaker: s.state,
      value: BREAKER_GAUGE[s.state],
      message: `webhook "${name}": circuit breaker ${s.state.replace('_', '-')}: ${reason}`,
    });
    void this.state.save({ breaker: s, ...(this.disabled ? { disabled: this.disabled } : {}) });
    if (s.state !== 'open') this.pump();
  }
}

import { isPattern, matchChannel, SwitchboardError, type AckMode, type From } from '@switchboard/protocol';
import type { Channel, ChannelListener, ChannelTable } from '../channels/channel-table.js';
import type { HubConfig } from '../config/config.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Peer } from '../connection/peer.js';
import type { Router } from '../publish/router.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { HubEvents } from '../features/hub-events.js';
import { msgFrame, type FrameCache } from './frames.js';
import type { GroupDispatcher, GroupMember, GroupTable } from './group-dispatcher.js';
import { PendingTracker } from './pending-tracker.js';
import { deadLetterStored } from './dead-letter-stored.js';
import { nextTurn } from './next-turn.js';
import type { GroupMemberView } from '../features/group-routing.js';

/** What a subscription needs from the hub. */
export interface SubscriptionDeps {
  store: Store;
  channels: ChannelTable;
  router: Router;
  metrics: HubMetrics;
  config: HubConfig;
  groups: GroupTable;
  /** Where deliveries are told to the features that watch them. */
  events?: HubEvents;
}

/** Whose subscription it is (for the events and listings that name it). */
export interface SubscriptionOwner {
  component: string;
  session: string;
  /** The `hello.version`, when the component gave one. */
  version?: string;
}

/** A `sub` request, checked. */
export interface SubscriptionSpec {
  id: string;
  /** Channel name or pattern. */
  pattern: string;
  from: From;
  group?: string;
  ack: AckMode;
  maxInflight: number;
  /** Per-channel positions to resume after (a resumed session); they win over `from`. */
  positions?: Map<string, number>;
}

const READ_BATCH = 256;

/**
 * One `sub` of one connection: a feed per matching channel (or a membership in each channel's group),
 * one in-flight window, and the deliveries awaiting acknowledgement.
 */
export class Subscription implements GroupMember {
  readonly feeds = new Map<string, Feed>();
  readonly memberships = new Map<string, GroupDispatcher>();
  readonly pending: PendingTracker;
  /** In-flight deliveries of group memberships (manual ack). */
  groupInflight = 0;
  closed = false;
  /** False until the `sub` reply is sent, so that no `msg` frame precedes it. */
  private active = false;
  private unlistenNew?: () => void;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: SubscriptionSpec,
    readonly peer: Peer,
    readonly deps: SubscriptionDeps,
    readonly owner: SubscriptionOwner = { component: '', session: '' },
  ) {
    this.pending = new PendingTracker(() => this.redeliverDue());
  }

  get id(): string {
    return this.spec.id;
  }

  get manual(): boolean {
    return this.spec.ack === 'manual';
  }

  view(): GroupMemberView {
    return this.owner;
  }

  /** Attaches to every matching channel; resolves with the head (the channel's last seq; the highest for a pattern). */
  async start(): Promise<number> {
    const { pattern } = this.spec;
    if (isPattern(pattern)) {
      this.unlistenNew = this.deps.channels.onNewChannel((ch) => {
        if (!this.closed && matchesFor(pattern, ch.name)) void this.attach(ch).catch(() => {});
      });
      let head = 0;
      for (const name of await this.deps.channels.matching(pattern)) {
        const ch = await this.deps.channels.get(name);
        head = Math.max(head, ch.head);
        await this.attach(ch);
      }
      return head;
    }
    const ch = await this.deps.channels.get(pattern);
    const head = ch.head;
    await this.attach(ch);
    return head;
  }

  private async attach(ch: Channel): Promise<void> {
    if (this.closed || this.feeds.has(ch.name) || this.memberships.has(ch.name)) return;
    if (this.spec.group !== undefined) {
      const d = this.deps.groups.get(ch, this.spec.group);
      this.memberships.set(ch.name, d);
      await d.addMember(this, this.spec.from);
      return;
    }
    const resumeAt = this.spec.positions?.get(ch.name);
    let cursor: number;
    if (resumeAt !== undefined) cursor = resumeAt;
    else if (this.spec.from === 'latest') cursor = ch.head;
    else if (this.spec.from === 'earliest') cursor = ch.durable ? Math.max(0, (await this.deps.store.info(ch.name)).first - 1) : ch.head;
    else cursor = this.spec.from;
    if (!ch.durable) cursor = ch.head;
    const feed = new Feed(this, ch, cursor, this.deps.store);
    this.feeds.set(ch.name, feed);
    ch.listeners.add(feed);
    if (ch.durable) feed.pump();
  }

  /** Starts delivery (called once the `sub` reply is on its way). */
  activate(): void {
    this.active = true;
    this.resume();
  }

  /** Deliveries this subscription may still take before it is paused. 0 = paused. */
  room(): number {
    if (this.closed || !this.active) return 0;
    if (this.peer.bufferedAmount() > this.deps.config.limits.maxBufferedBytes) {
      this.waitForDrain();
      return 0;
    }
    if (!this.manual) return READ_BATCH;
    return Math.max(0, this.spec.maxInflight - this.pending.size - this.groupInflight);
  }

  /** Sends one delivery of a stored message. */
  send(ch: string, seq: number, json: string, deliveries: number, track: boolean, frames?: FrameCache): void {
    this.peer.send(frames && deliveries === 1 ? frames.frame(this.spec.id, json) : msgFrame(this.spec.id, json, deliveries - 1));
    if (deliveries > 1) this.deps.metrics.redelivered.inc();
    const events = this.deps.events;
    if (events && events.delivered.length > 0) {
      const { component, session } = this.owner;
      events.emitDelivered({
        ch,
        seq,
        sub: this.spec.id,
        component,
        session,
        ...(this.spec.group !== undefined ? { group: this.spec.group } : {}),
        deliveries,
        json,
      });
    }
    if (track && this.manual) this.pending.add(ch, seq, deliveries, json, this.ackTimeout(ch));
  }

  /** Handles `ack`; false when the seq was not in flight here (already acked, or unknown). */
  ack(seq: number, ch?: string): boolean {
    const name = this.resolveChannel(seq, ch);
    if (name === undefined) return false;
    const d = this.memberships.get(name);
    if (d) return d.ack(this, seq);
    const done = this.pending.ack(name, seq);
    if (done) this.resume();
    return done;
  }

  /** Handles `nack`: redeliver after `delayMs`. */
  nack(seq: number, delayMs: number, ch?: string): boolean {
    const name = this.resolveChannel(seq, ch);
    if (name === undefined) return false;
    const d = this.memberships.get(name);
    if (d) return d.nack(this, seq, delayMs);
    const ok = this.pending.nack(name, seq, delayMs);
    if (ok && delayMs <= 0) queueMicrotask(() => this.redeliverDue());
    return ok;
  }

  /** Room freed (ack, drain): restart paused feeds and group dispatch. */
  resume(): void {
    if (this.closed) return;
    for (const f of this.feeds.values()) if (!f.live) f.pump();
    for (const d of this.memberships.values()) d.pump();
  }

  /** The positions to resume after, per channel: below the lowest unacknowledged delivery. */
  positions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, f] of this.feeds) {
      if (!f.channel.durable) continue;
      const low = this.pending.lowest(name);
      out.set(name, low === undefined ? f.cursor : Math.min(f.cursor, low - 1));
    }
    return out;
  }

  /** Stops every feed and hands group deliveries in flight back to the group. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlistenNew?.();
    if (this.drainTimer) clearTimeout(this.drainTimer);
    for (const f of this.feeds.values()) f.channel.listeners.delete(f);
    this.pending.clear();
    await Promise.all([...this.memberships.values()].map((d) => d.removeMember(this)));
  }

  private ackTimeout(ch: string): number {
    return this.deps.channels.peek(ch)?.settings.ackTimeoutMs ?? this.deps.config.channelDefaults.ackTimeoutMs;
  }

  private resolveChannel(seq: number, ch?: string): string | undefined {
    if (ch !== undefined) return this.feeds.has(ch) || this.memberships.has(ch) ? ch : undefined;
    if (this.feeds.size + this.memberships.size === 1) return [...this.feeds.keys(), ...this.memberships.keys()][0];
    const hits: string[] = [];
    for (const name of this.feeds.keys()) if (this.pending.has(name, seq)) hits.push(name);
    for (const [name, d] of this.memberships) if (d.owns(this, seq)) hits.push(name);
    if (hits.length > 1)
      throw new SwitchboardError(
        'BAD_FRAME',
        `seq ${seq} is in flight on several channels of subscription ${this.id} (${hits.join(', ')}); add "ch" to the ack/nack`,
      );
    return hits[0];
  }

  private redeliverDue(): void {
    if (this.closed) return;
    for (const e of this.pending.takeDue()) {
      const ch = this.deps.channels.peek(e.ch);
      const max = ch?.settings.maxDeliveries ?? this.deps.config.channelDefaults.maxDeliveries;
      if (e.deliveries >= max) {
        void deadLetterStored(
          this.deps.router,
          e.ch,
          e.seq,
          e.json,
          e.deliveries,
          `not acknowledged after ${e.deliveries} deliveries to subscription ${this.id}`,
        ).catch(() => {});
        continue;
      }
      this.send(e.ch, e.seq, e.json, e.deliveries + 1, true);
    }
    this.resume();
  }

  private waitForDrain(): void {
    if (this.drainTimer || this.closed) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      if (this.peer.bufferedAmount() > this.deps.config.limits.maxBufferedBytes) this.waitForDrain();
      else this.resume();
    }, 10);
    this.drainTimer.unref?.();
  }
}

/**
 * A subscription's reader of one channel: catches up from the log, then switches to live delivery, and
 * falls back to reading the log whenever it is paused or sees a gap. The log is the only buffer.
 */
export class Feed implements ChannelListener {
  live = false;
  private pumping = false;
  private again = false;

  constructor(
    readonly sub: Subscription,
    readonly channel: Channel,
    /** Last seq sent to the subscriber. */
    public cursor: number,
    private readonly store: Store,
  ) {}

  onMessage(m: StoredMessage, frames?: FrameCache): void {
    const sub = this.sub;
    if (sub.closed) return;
    if (!this.channel.durable) {
      if (sub.room() > 0) sub.send(m.ch, m.seq, m.json, 1, false, frames);
      else sub.deps.metrics.droppedEphemeral.inc();
      this.cursor = m.seq;
      return;
    }
    if (!this.live || m.seq <= this.cursor) return;
    if (m.seq !== this.cursor + 1) {
      this.live = false;
      this.pump();
      return;
    }
    if (sub.room() <= 0) {
      this.live = false;
      return;
    }
    this.cursor = m.seq;
    sub.send(m.ch, m.seq, m.json, 1, true, frames);
  }

  /** Reads from the log until caught up (then live) or out of room (then paused). */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.live = false;
    void this.run()
      .catch(() => {
        /* store unavailable: retried on the next resume */
      })
      .finally(() => {
        this.pumping = false;
        if (this.again && !this.sub.closed) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async run(): Promise<void> {
    const sub = this.sub;
    for (;;) {
      if (sub.closed) return;
      if (this.cursor >= this.channel.head) {
        this.live = true;
        return;
      }
      const room = sub.room();
      if (room <= 0) return;
      const batch = await this.store.read(this.channel.name, this.cursor, Math.min(room, READ_BATCH));
      if (sub.closed) return;
      if (batch.length === 0) {
        const info = await this.store.info(this.channel.name);
        if (info.first > this.cursor + 1) this.cursor = info.first - 1;
        else {
          this.live = true;
          return;
        }
        continue;
      }
      for (const m of batch) {
        if (m.seq <= this.cursor) continue;
        this.cursor = m.seq;
        sub.send(m.ch, m.seq, m.json, 1, true);
      }
      // The store may answer without a pause and the kernel take every frame: let other sockets have a turn.
      await nextTurn();
    }
  }
}

function matchesFor(pattern: string, name: string): boolean {
  if (!pattern.startsWith('$') && name.startsWith('$')) return false;
  return matchChannel(pattern, name);
}

import type { From } from '@switchboard/protocol';
import type { Channel, ChannelListener } from '../channels/channel-table.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Router } from '../publish/router.js';
import type { GroupCursor, Store, StoredMessage } from '../store/store.js';
import { deadLetterStored } from './dead-letter-stored.js';
import { nextTurn } from './next-turn.js';
import type { FrameCache } from './frames.js';
import type { GroupSnapshot } from '../features/hub-inspector.js';
import type { GroupMemberView } from '../features/group-routing.js';
import type { HubEvents } from '../features/hub-events.js';

const FETCH_BATCH = 256;
/** A group message that no member on this node may take goes back to the group for another node, after this delay. */
const BOUNCE_DELAY_MS = 20;
const BOUNCE = Symbol('bounce');

/** A member of a consumer group on this node, as the dispatcher sees it (a subscription with a group). */
export interface GroupMember {
  readonly closed: boolean;
  /** Manual ack: deliveries stay in flight until acked. */
  readonly manual: boolean;
  /** In-flight deliveries of group memberships. */
  groupInflight: number;
  /** How many more deliveries fit in the member's in-flight window. */
  room(): number;
  /** Sends one delivery (`track`: keep it pending for ack in the member itself). */
  send(ch: string, seq: number, json: string, deliveries: number, track: boolean, frames?: FrameCache): void;
  /** Room opened again: go on delivering. */
  resume(): void;
  /** Who the member is (for the features that route group messages and watch their outcomes). */
  view(): GroupMemberView;
}

/** A fetched delivery waiting for room in the members its router allows. */
interface HeldDelivery {
  message: StoredMessage;
  deliveries: number;
  /** The end of its ack wait: past it the store hands it out again, so it is dropped here. */
  deadline: number;
}

/**
 * A consumer group on one channel: its members on this node and the store's shared cursor. Each message
 * goes to one member, round-robin among members with room in their in-flight window.
 */
export class GroupDispatcher implements ChannelListener {
  private members: GroupMember[] = [];
  private rr = 0;
  /** Which member holds each seq in flight (manual ack). */
  private readonly owner = new Map<number, GroupMember>();
  /** When the ack wait of each owned seq ends (taken before the fetch, so never later than the store's). */
  private readonly ackDeadline = new Map<number, number>();
  /** When each owned seq was sent, and its delivery count (for the outcome events). */
  private readonly sentAt = new Map<number, { at: number; deliveries: number }>();
  /** Deliveries whose allowed members had no room (only with a group router). */
  private readonly held = new Map<number, HeldDelivery>();
  private cursor: GroupCursor | undefined;
  private opening: Promise<GroupCursor> | undefined;
  private pumping = false;
  private again = false;

  constructor(
    readonly channel: Channel,
    readonly name: string,
    private readonly deps: {
      store: Store;
      router: Router;
      metrics: HubMetrics;
      events?: HubEvents;
      /** Other hub nodes draw from the same groups. */
      clustered?: boolean;
      onEmpty: (d: GroupDispatcher) => void;
    },
  ) {}

  /** What this group is on this node now (members here, the ack floor, deliveries in flight). */
  snapshot(): GroupSnapshot {
    return {
      ch: this.channel.name,
      group: this.name,
      members: this.members.length,
      ackFloor: this.cursor?.ackFloor() ?? 0,
      pending: this.cursor?.inFlight() ?? this.owner.size,
    };
  }

  /** Adds a member; `from` creates the group's position when the group does not exist yet. */
  async addMember(sub: GroupMember, from: From): Promise<void> {
    if (this.channel.durable && !this.cursor) {
      this.opening ??= this.deps.store.group(this.channel.name, this.name, {
        from,
        ackWaitMs: this.channel.settings.ackTimeoutMs,
        onReady: () => this.pump(),
      });
      try {
        this.cursor = await this.opening;
      } catch (err) {
        this.opening = undefined;
        throw err;
      }
    }
    if (sub.closed) return;
    this.members.push(sub);
    if (this.members.length === 1) this.channel.listeners.add(this);
    this.pump();
  }

  /** True when `sub` holds `seq` in flight. */
  owns(sub: GroupMember, seq: number): boolean {
    return this.owner.get(seq) === sub;
  }

  onMessage(m: StoredMessage, frames?: FrameCache): void {
    if (this.channel.durable) {
      this.pump();
      return;
    }
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const sub = this.members[(this.rr + i) % n]!;
      if (sub.room() > 0) {
        this.rr = (this.rr + i + 1) % n;
        sub.send(m.ch, m.seq, m.json, 1, false, frames);
        return;
      }
    }
    this.deps.metrics.droppedEphemeral.inc();
  }

  ack(sub: GroupMember, seq: number): boolean {
    if (!this.cursor) return false;
    const mine = this.owner.get(seq) === sub;
    if (mine) this.outcome(sub, seq, 'acked');
    const held = mine ? this.release(seq) : undefined;
    void this.cursor.ack(seq).catch(() => {});
    if (held) sub.resume();
    return mine;
  }

  nack(sub: GroupMember, seq: number, delayMs: number): boolean {
    if (!this.cursor || this.owner.get(seq) !== sub) return false;
    this.outcome(sub, seq, 'nacked');
    this.release(seq);
    void this.cursor.nack(seq, Math.max(0, delayMs)).catch(() => {});
    sub.resume();
    return true;
  }

  /** Takes back the deliveries in flight to the members `which` picks and makes them due at once. */
  async reclaim(which: (m: GroupMemberView) => boolean): Promise<number> {
    const taken: number[] = [];
    for (const [seq, owner] of this.owner) if (which(owner.view())) taken.push(seq);
    const owners = new Set<GroupMember>();
    for (const seq of taken) {
      const o = this.release(seq);
      if (o) owners.add(o);
    }
    if (this.cursor) await Promise.all(taken.map((seq) => this.cursor!.nack(seq, 0).catch(() => {})));
    for (const o of owners) o.resume();
    this.pump();
    return taken.length;
  }

  /** Removes a member; what it held in flight is handed to the others at once. */
  async removeMember(sub: GroupMember): Promise<void> {
    this.members = this.members.filter((m) => m !== sub);
    const held: number[] = [];
    for (const [seq, owner] of this.owner) if (owner === sub) held.push(seq);
    for (const seq of held) this.release(seq);
    if (this.members.length === 0) this.held.clear();
    if (this.cursor) await Promise.all(held.map((seq) => this.cursor!.nack(seq, 0).catch(() => {})));
    if (this.members.length === 0) {
      this.channel.listeners.delete(this);
      this.deps.onEmpty(this);
      const c = this.cursor;
      this.cursor = undefined;
      this.opening = undefined;
      await c?.close().catch(() => {});
    } else this.pump();
  }

  /** Fetches from the shared cursor and hands deliveries to members while any has room. */
  pump(): void {
    if (!this.cursor) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.run()
      .catch(() => {})
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async run(): Promise<void> {
    for (;;) {
      const cursor = this.cursor;
      if (!cursor) return;
      this.releaseExpired();
      this.placeHeld();
      let room = 0;
      for (const m of this.members) room += m.room();
      if (room <= 0 || this.held.size >= FETCH_BATCH) return;
      const fetchedAt = Date.now();
      const batch = await cursor.fetch(Math.min(room, FETCH_BATCH));
      if (batch.length === 0) {
        cursor.demand?.(room);
        return;
      }
      const max = this.channel.settings.maxDeliveries;
      for (const d of batch) {
        const seq = d.message.seq;
        this.release(seq);
        if (d.deliveries > max) {
          await deadLetterStored(
            this.deps.router,
            this.channel.name,
            seq,
            d.message.json,
            d.deliveries - 1,
            `not acknowledged after ${d.deliveries - 1} deliveries to group "${this.name}"`,
          ).catch(() => {});
          await cursor.term(seq).catch(() => {});
          continue;
        }
        const allowed = this.route(d.message, d.deliveries);
        if (allowed === BOUNCE) {
          await cursor.nack(seq, BOUNCE_DELAY_MS).catch(() => {});
          continue;
        }
        const member = this.pick(allowed);
        if (!member) {
          if (allowed) this.held.set(seq, { ...d, deadline: fetchedAt + this.channel.settings.ackTimeoutMs });
          else await cursor.nack(seq, 0).catch(() => {});
          continue;
        }
        this.hand(cursor, member, d.message, d.deliveries, fetchedAt + this.channel.settings.ackTimeoutMs);
      }
      await nextTurn();
    }
  }

  private hand(cursor: GroupCursor, member: GroupMember, message: StoredMessage, deliveries: number, deadline: number): void {
    const seq = message.seq;
    member.send(this.channel.name, seq, message.json, deliveries, false);
    if (member.manual) {
      this.owner.set(seq, member);
      this.ackDeadline.set(seq, deadline);
      if (this.deps.events?.groupOutcome.length) this.sentAt.set(seq, { at: Date.now(), deliveries });
      member.groupInflight++;
    } else {
      void cursor.ack(seq).catch(() => {});
      if (this.deps.events?.groupOutcome.length) {
        this.deps.events.emitGroupOutcome({ ch: this.channel.name, group: this.name, seq, member: member.view(), outcome: 'acked', latencyMs: 0, deliveries });
      }
    }
  }

  /** The members a message may go to, when a feature routes this group's messages (undefined: any). */
  private route(message: StoredMessage, deliveries: number, again = false): ((m: GroupMemberView) => boolean) | typeof BOUNCE | undefined {
    const router = this.deps.events?.groupRouter;
    if (!router) return undefined;
    const allowed = router({ ch: this.channel.name, group: this.name, message, deliveries, ...(again ? { again: true } : {}) });
    if (!allowed) return undefined;
    if (this.members.some((m) => allowed(m.view()))) return allowed;
    // Nobody here may take it: another node may have such a member, while deliveries are left before the dead-letter log.
    return this.deps.clustered && deliveries < this.channel.settings.maxDeliveries - 1 ? BOUNCE : undefined;
  }

  /**
   * Hands held deliveries to the members their router allows now (it may have changed its mind: a rollback) as room
   * opens; drops those whose ack wait ran out (the store hands them out again).
   */
  private placeHeld(): void {
    if (this.held.size === 0 || !this.cursor) return;
    const now = Date.now();
    for (const [seq, h] of this.held) {
      if (h.deadline <= now) {
        this.held.delete(seq);
        continue;
      }
      const allowed = this.route(h.message, h.deliveries, true);
      if (allowed === BOUNCE) {
        this.held.delete(seq);
        void this.cursor.nack(seq, BOUNCE_DELAY_MS).catch(() => {});
        continue;
      }
      const member = this.pick(allowed);
      if (!member) continue;
      this.held.delete(seq);
      this.hand(this.cursor, member, h.message, h.deliveries, h.deadline);
    }
  }

  private pick(allowed?: (m: GroupMemberView) => boolean): GroupMember | undefined {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const sub = this.members[(this.rr + i) % n]!;
      if (sub.room() > 0 && (!allowed || allowed(sub.view()))) {
        this.rr = (this.rr + i + 1) % n;
        return sub;
      }
    }
    return undefined;
  }

  /** Tells the features that watch group outcomes how the delivery of `seq` to `sub` ended. */
  private outcome(sub: GroupMember, seq: number, outcome: 'acked' | 'nacked' | 'timeout'): void {
    const sent = this.sentAt.get(seq);
    const events = this.deps.events;
    if (!sent || !events || events.groupOutcome.length === 0) return;
    events.emitGroupOutcome({
      ch: this.channel.name,
      group: this.name,
      seq,
      member: sub.view(),
      outcome,
      latencyMs: Date.now() - sent.at,
      deliveries: sent.deliveries,
    });
  }

  /**
   * Frees the window of deliveries whose ack wait ran out: the store hands them out again, and the member
   * that held them must have room to take them (a full window would otherwise never see its redeliveries).
   */
  private releaseExpired(): void {
    if (this.ackDeadline.size === 0) return;
    const now = Date.now();
    for (const [seq, at] of this.ackDeadline) {
      if (at > now) continue;
      const owner = this.owner.get(seq);
      if (owner) this.outcome(owner, seq, 'timeout');
      this.release(seq);
    }
  }

  private release(seq: number): GroupMember | undefined {
    this.ackDeadline.delete(seq);
    this.sentAt.delete(seq);
    const held = this.owner.get(seq);
    if (held) {
      this.owner.delete(seq);
      held.groupInflight--;
    }
    return held;
  }
}

/** Every group dispatcher of this hub node, by channel and group name. */
export class GroupTable {
  private readonly table = new Map<string, GroupDispatcher>();

  constructor(private readonly deps: { store: Store; router: Router; metrics: HubMetrics; events?: HubEvents; clustered?: boolean }) {}

  /** Every group with a member on this node. */
  list(): GroupDispatcher[] {
    return [...this.table.values()];
  }

  /** The dispatcher of `(ch, group)` on this node, when it has members here. */
  find(ch: string, group: string): GroupDispatcher | undefined {
    return this.table.get(ch + '\u0000' + group);
  }

  get(channel: Channel, group: string): GroupDispatcher {
    const key = channel.name + '\u0000' + group;
    let d = this.table.get(key);
    if (!d) {
      d = new GroupDispatcher(channel, group, {
        ...this.deps,
        onEmpty: (x) => {
          if (this.table.get(key) === x) this.table.delete(key);
        },
      });
      this.table.set(key, d);
    }
    return d;
  }
}

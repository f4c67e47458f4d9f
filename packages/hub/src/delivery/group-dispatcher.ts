import type { From } from '@switchboard/protocol';
import type { Channel, ChannelListener } from '../channels/channel-table.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Router } from '../publish/router.js';
import type { GroupCursor, Store, StoredMessage } from '../store/store.js';
import { deadLetterStored } from './dead-letter-stored.js';
import { nextTurn } from './next-turn.js';
import type { FrameCache } from './frames.js';
import type { GroupSnapshot } from '../features/hub-inspector.js';

const FETCH_BATCH = 256;

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
  private cursor: GroupCursor | undefined;
  private opening: Promise<GroupCursor> | undefined;
  private pumping = false;
  private again = false;

  constructor(
    readonly channel: Channel,
    readonly name: string,
    private readonly deps: { store: Store; router: Router; metrics: HubMetrics; onEmpty: (d: GroupDispatcher) => void },
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
    const held = this.release(seq);
    void this.cursor.ack(seq).catch(() => {});
    if (held) sub.resume();
    return held === sub;
  }

  nack(sub: GroupMember, seq: number, delayMs: number): boolean {
    if (!this.cursor || this.owner.get(seq) !== sub) return false;
    this.release(seq);
    void this.cursor.nack(seq, Math.max(0, delayMs)).catch(() => {});
    sub.resume();
    return true;
  }

  /** Removes a member; what it held in flight is handed to the others at once. */
  async removeMember(sub: GroupMember): Promise<void> {
    this.members = this.members.filter((m) => m !== sub);
    const held: number[] = [];
    for (const [seq, owner] of this.owner) if (owner === sub) held.push(seq);
    for (const seq of held) this.release(seq);
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
      let room = 0;
      for (const m of this.members) room += m.room();
      if (room <= 0) return;
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
        const member = this.pick();
        if (!member) {
          await cursor.nack(seq, 0).catch(() => {});
          continue;
        }
        member.send(this.channel.name, seq, d.message.json, d.deliveries, false);
        if (member.manual) {
          this.owner.set(seq, member);
          this.ackDeadline.set(seq, fetchedAt + this.channel.settings.ackTimeoutMs);
          member.groupInflight++;
        } else void cursor.ack(seq).catch(() => {});
      }
      await nextTurn();
    }
  }

  private pick(): GroupMember | undefined {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const sub = this.members[(this.rr + i) % n]!;
      if (sub.room() > 0) {
        this.rr = (this.rr + i + 1) % n;
        return sub;
      }
    }
    return undefined;
  }

  /**
   * Frees the window of deliveries whose ack wait ran out: the store hands them out again, and the member
   * that held them must have room to take them (a full window would otherwise never see its redeliveries).
   */
  private releaseExpired(): void {
    if (this.ackDeadline.size === 0) return;
    const now = Date.now();
    for (const [seq, at] of this.ackDeadline) if (at <= now) this.release(seq);
  }

  private release(seq: number): GroupMember | undefined {
    this.ackDeadline.delete(seq);
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

  constructor(private readonly deps: { store: Store; router: Router; metrics: HubMetrics }) {}

  /** Every group with a member on this node. */
  list(): GroupDispatcher[] {
    return [...this.table.values()];
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

import type { GroupCursor, GroupDelivery, GroupOptions } from '../store.js';
import type { MessageRow, Statements } from './schema.js';

/** What a group needs from the store that owns it. */
export interface GroupHost {
  now(): number;
  /** Throws `UNAVAILABLE` once the store is closed. */
  assertOpen(): void;
  /** Highest seq of `ch` that retention removed (0 when none). */
  goneThrough(ch: string): number;
  readAfter(ch: string, afterSeq: number, limit: number): MessageRow[];
  readOne(ch: string, seq: number): MessageRow | undefined;
  /** Queues the group's position for the next group commit; resolves once it is durable. */
  persist(state: GroupState): Promise<void>;
  warn(message: string, err: unknown): void;
}

/** A seq handed out (or due again after a restart) and not yet acked or termed. */
interface Pending {
  deliveries: number;
  /** Ack deadline while in flight; time it becomes due again after a nack. */
  dueAt: number;
  inFlight: boolean;
}

/**
 * The shared position of one `(ch, group)` in one SQLite store. Durable: the ack floor, acks above it and
 * the highest seq handed out (`cursor`). In memory: what is in flight, ack deadlines and nack delays.
 */
export class GroupState {
  floor: number;
  cursor: number;
  private readonly acked = new Set<number>();
  private newAcks: number[] = [];
  private persistedFloor: number;
  private readonly pending = new Map<number, Pending>();
  private inFlightCount = 0;
  /** No pending entry is due before this time. */
  private scanAt = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly host: GroupHost,
    readonly ch: string,
    readonly group: string,
    floor: number,
    cursor: number,
    acked: Iterable<number>,
    /** True for a group loaded from disk: seqs handed out before and not acked are due again now. */
    restored: boolean,
  ) {
    this.floor = floor;
    this.cursor = Math.max(cursor, floor);
    this.persistedFloor = floor;
    for (const seq of acked) if (seq > floor) this.acked.add(seq);
    if (restored) {
      for (let seq = floor + 1; seq <= this.cursor; seq++) {
        if (!this.acked.has(seq)) this.pending.set(seq, { deliveries: 1, dueAt: 0, inFlight: false });
      }
      if (this.pending.size > 0) this.scanAt = 0;
    }
    this.advanceFloor();
  }

  /** Opens a handle on this state for one `group()` call. */
  handle(options: GroupOptions): GroupCursor {
    const listener = (): void => options.onReady?.();
    if (options.onReady) {
      this.listeners.add(listener);
      if (this.pending.size > 0) this.arm(this.earliestDue());
    }
    const ackWaitMs = options.ackWaitMs;
    return {
      ch: this.ch,
      group: this.group,
      fetch: (max) => this.run(() => this.fetch(max, ackWaitMs)),
      ack: (seq) => this.run(() => this.done(seq)),
      term: (seq) => this.run(() => this.done(seq)),
      nack: (seq, delayMs) => this.run(() => this.nack(seq, delayMs)),
      ackFloor: () => this.floor,
      inFlight: () => this.inFlightNow(),
      close: async () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.stopTimer();
      },
    };
  }

  /** Writes the durable part of the position; called inside the store's group-commit transaction. */
  write(stmts: Statements): void {
    stmts.groupPut.run(this.ch, this.group, this.floor, this.cursor);
    for (const seq of this.newAcks) if (seq > this.floor) stmts.groupAckPut.run(this.ch, this.group, seq);
    if (this.floor > this.persistedFloor) stmts.groupAcksPrune.run(this.ch, this.group, this.floor);
  }

  /** Called after the transaction that ran {@link write} committed. */
  committed(): void {
    this.newAcks = [];
    this.persistedFloor = this.floor;
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private async run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.host.assertOpen();
    return fn();
  }

  private fetch(max: number, ackWaitMs: number): GroupDelivery[] {
    const out: GroupDelivery[] = [];
    if (!(max > 0)) return out;
    const now = this.host.now();
    let moved = this.skipRetained();
    if (now >= this.scanAt) {
      for (const seq of this.sweep(now)) {
        if (out.length >= max) break;
        const entry = this.pending.get(seq);
        if (!entry) continue;
        const row = this.host.readOne(this.ch, seq);
        if (!row) {
          this.markDone(seq);
          moved = true;
          continue;
        }
        entry.deliveries += 1;
        if (!entry.inFlight) this.inFlightCount += 1;
        entry.inFlight = true;
        entry.dueAt = now + ackWaitMs;
        out.push({ message: { ch: this.ch, seq, json: row.json }, deliveries: entry.deliveries });
      }
      this.scanAt = this.earliestDue();
    }
    while (out.length < max) {
      const want = max - out.length;
      const rows = this.host.readAfter(this.ch, this.cursor, want);
      for (const row of rows) {
        this.cursor = row.seq;
        moved = true;
        if (this.acked.has(row.seq) || this.pending.has(row.seq)) continue;
        this.pending.set(row.seq, { deliveries: 1, dueAt: now + ackWaitMs, inFlight: true });
        this.inFlightCount += 1;
        out.push({ message: { ch: this.ch, seq: row.seq, json: row.json }, deliveries: 1 });
      }
      if (rows.length < want) break;
    }
    if (out.length > 0) {
      this.scanAt = Math.min(this.scanAt, now + ackWaitMs);
      this.arm(now + ackWaitMs);
    }
    // The highest seq handed out rides on the next group commit; fetch does not wait for it, so a crash
    // within one event-loop turn of a fetch may redeliver those seqs with `deliveries` 1 instead of 2.
    if (moved) this.host.persist(this).catch((err) => this.host.warn('could not record a group position', err));
    return out;
  }

  private done(seq: number): Promise<void> | undefined {
    const moved = this.skipRetained();
    if (!Number.isInteger(seq) || seq <= this.floor || seq > this.cursor || this.acked.has(seq)) {
      return moved ? this.host.persist(this) : undefined;
    }
    this.markDone(seq);
    return this.host.persist(this);
  }

  private nack(seq: number, delayMs: number): void {
    const entry = this.pending.get(seq);
    if (!entry) return;
    if (entry.inFlight) this.inFlightCount -= 1;
    entry.inFlight = false;
    entry.dueAt = this.host.now() + Math.max(0, delayMs);
    this.scanAt = Math.min(this.scanAt, entry.dueAt);
    this.arm(entry.dueAt);
  }

  private inFlightNow(): number {
    const now = this.host.now();
    if (now >= this.scanAt) {
      this.sweep(now);
      this.scanAt = this.earliestDue();
    }
    return this.inFlightCount;
  }

  private markDone(seq: number): void {
    const entry = this.pending.get(seq);
    if (entry?.inFlight) this.inFlightCount -= 1;
    this.pending.delete(seq);
    this.acked.add(seq);
    this.newAcks.push(seq);
    this.advanceFloor();
  }

  private advanceFloor(): void {
    while (this.acked.has(this.floor + 1)) {
      this.acked.delete(this.floor + 1);
      this.floor += 1;
    }
  }

  /** Moves the floor past seqs that retention removed; true when the position changed. */
  private skipRetained(): boolean {
    const gone = this.host.goneThrough(this.ch);
    if (gone <= this.floor) return false;
    this.floor = gone;
    this.cursor = Math.max(this.cursor, gone);
    for (const [seq, entry] of this.pending) {
      if (seq > gone) continue;
      if (entry.inFlight) this.inFlightCount -= 1;
      this.pending.delete(seq);
    }
    for (const seq of this.acked) if (seq <= gone) this.acked.delete(seq);
    this.advanceFloor();
    return true;
  }

  /** Ends ack waits that ran out; returns every due seq, oldest first. */
  private sweep(now: number): number[] {
    const due: number[] = [];
    for (const [seq, entry] of this.pending) {
      if (entry.dueAt > now) continue;
      if (entry.inFlight) {
        entry.inFlight = false;
        this.inFlightCount -= 1;
      }
      due.push(seq);
    }
    return due.sort((a, b) => a - b);
  }

  private earliestDue(after = Number.NEGATIVE_INFINITY): number {
    let min = Number.POSITIVE_INFINITY;
    for (const entry of this.pending.values()) if (entry.dueAt > after && entry.dueAt < min) min = entry.dueAt;
    return min;
  }

  /** Schedules an `onReady` call for when something becomes due at `at`. */
  private arm(at: number): void {
    if (this.listeners.size === 0 || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.host.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.host.now();
    let anyDue = false;
    for (const entry of this.pending.values()) {
      if (entry.dueAt <= now) {
        anyDue = true;
        break;
      }
    }
    if (anyDue) {
      this.scanAt = Math.min(this.scanAt, now);
      for (const listener of this.listeners) {
        try {
          listener();
        } catch (err) {
          this.host.warn('a group onReady callback threw', err);
        }
      }
    }
    const next = this.earliestDue(now);
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  }
}

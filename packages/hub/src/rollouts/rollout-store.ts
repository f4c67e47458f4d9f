import { setTimeout as sleep } from 'node:timers/promises';
import { SwitchboardError } from '@switchboard/protocol';
import type { Store } from '../store/store.js';
import type { RolloutRecord } from './rollout-record.js';
import type { WindowSummary } from './rollout-window.js';

/** The store's KV bucket of rollouts: records `r.<id>`, the list `index`, the controller's `lease`, node figures `n.<id>.<node>`. */
export const ROLLOUT_BUCKET = 'rollouts';
/** Rollouts listed (the oldest finished ones leave the list first). */
export const MAX_LISTED = 100;

interface IndexDoc {
  ids: string[];
}

/** Who runs the controller, until when. */
export interface Lease {
  node: string;
  until: number;
}

/** A node's figures of one rollout, written each tick for the controller to add up. */
export interface NodeFigures {
  at: number;
  canary: WindowSummary;
  stable: WindowSummary;
  totals: { canary: { delivered: number; errors: number }; stable: { delivered: number; errors: number } };
  /** First deliveries routed to the canary, and the canary's acks, since the rollout started (their difference: its lag). */
  lag?: { routed: number; acked: number };
}

/** Reads and writes rollouts in the store, each write a compare-and-set. */
export class RolloutStore {
  constructor(private readonly store: Store) {}

  async ids(): Promise<string[]> {
    return ((await this.store.kvGet(ROLLOUT_BUCKET, 'index'))?.value as IndexDoc | undefined)?.ids ?? [];
  }

  async get(id: string): Promise<{ record: RolloutRecord; revision: number } | undefined> {
    const v = await this.store.kvGet(ROLLOUT_BUCKET, `r.${id}`);
    return v ? { record: v.value as RolloutRecord, revision: v.revision } : undefined;
  }

  /** Stores a new rollout and lists it (dropping the oldest finished ones past {@link MAX_LISTED}). */
  async create(record: RolloutRecord, isFinalId: (id: string) => boolean): Promise<void> {
    await this.store.kvPut(ROLLOUT_BUCKET, `r.${record.id}`, record, 0);
    for (let i = 0; ; i++) {
      if (i > 0) await sleep(2 * Math.min(i, 20));
      const cur = await this.store.kvGet(ROLLOUT_BUCKET, 'index');
      const ids = [...((cur?.value as IndexDoc | undefined)?.ids ?? []), record.id];
      while (ids.length > MAX_LISTED) {
        const drop = ids.findIndex(isFinalId);
        ids.splice(drop === -1 ? 0 : drop, 1);
      }
      try {
        await this.store.kvPut(ROLLOUT_BUCKET, 'index', { ids }, cur?.revision ?? 0);
        return;
      } catch (err) {
        if (!(err instanceof SwitchboardError && err.code === 'CONFLICT')) throw err;
      }
    }
  }

  /**
   * Changes a rollout with `change` (which returns the new record, or undefined to leave it) and writes it if nobody
   * wrote it meanwhile; otherwise reads it again and retries. Resolves with the record as stored.
   */
  async update(id: string, change: (r: RolloutRecord) => RolloutRecord | undefined): Promise<RolloutRecord | undefined> {
    for (let i = 0; i < 20; i++) {
      if (i > 0) await sleep(2 * i);
      const cur = await this.get(id);
      if (!cur) return undefined;
      const next = change(cur.record);
      if (!next) return cur.record;
      try {
        await this.store.kvPut(ROLLOUT_BUCKET, `r.${id}`, next, cur.revision);
        return next;
      } catch (err) {
        if (!(err instanceof SwitchboardError && err.code === 'CONFLICT')) throw err;
      }
    }
    throw new SwitchboardError('CONFLICT', `rollout ${id} kept changing while it was written; try again`);
  }

  /** Takes or renews the controller lease for `node` until `until`; true when `node` holds it. */
  async lease(node: string, now: number, until: number): Promise<boolean> {
    const cur = await this.store.kvGet(ROLLOUT_BUCKET, 'lease');
    const held = cur?.value as Lease | undefined;
    if (held && held.node !== node && held.until > now) return false;
    try {
      await this.store.kvPut(ROLLOUT_BUCKET, 'lease', { node, until } satisfies Lease, cur?.revision ?? 0);
      return true;
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === 'CONFLICT') return false;
      throw err;
    }
  }

  async holder(): Promise<Lease | undefined> {
    return (await this.store.kvGet(ROLLOUT_BUCKET, 'lease'))?.value as Lease | undefined;
  }

  /** Lets the lease go when `node` holds it (a stopping node), so another takes over at once. */
  async release(node: string, now: number): Promise<void> {
    const cur = await this.store.kvGet(ROLLOUT_BUCKET, 'lease');
    if ((cur?.value as Lease | undefined)?.node !== node) return;
    await this.store.kvPut(ROLLOUT_BUCKET, 'lease', { node, until: now - 1 } satisfies Lease, cur!.revision).catch(() => undefined);
  }

  async putFigures(id: string, node: string, figures: NodeFigures): Promise<void> {
    await this.store.kvPut(ROLLOUT_BUCKET, `n.${id}.${node}`, figures);
  }

  async figuresOf(id: string, node: string): Promise<NodeFigures | undefined> {
    return (await this.store.kvGet(ROLLOUT_BUCKET, `n.${id}.${node}`))?.value as NodeFigures | undefined;
  }
}

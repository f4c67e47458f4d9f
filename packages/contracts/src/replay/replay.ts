import type { ContractSet } from '../types.js';

/** A stored message as far as a replay needs it (the envelope's fields). */
export interface ReplayedMessage {
  ch: string;
  type: string;
  /** The producing component (envelope `source`). */
  source: string;
  seq: number;
  data: unknown;
}

/** One failing field of the refused messages of a group, and how many of them it failed. */
export interface ReplayField {
  path: string;
  rule: string;
  count: number;
}

/** The messages of one channel, message type and producing component. */
export interface ReplayGroup {
  ch: string;
  type: string;
  source: string;
  checked: number;
  /** How many of them the contract refuses. */
  refused: number;
  /** The first refused message: its seq and the hub's refusal sentence. */
  sample?: { seq: number; message: string };
  /** Every failing field, most frequent first. */
  fields: ReplayField[];
}

/** The replay of one channel. */
export interface ReplayChannel {
  ch: string;
  /** False when the contract set has no contract for the channel (the hub accepts anything there). */
  declared: boolean;
  checked: number;
  refused: number;
  groups: ReplayGroup[];
}

/** What a replay found, channel by channel. */
export interface ReplayReport {
  checked: number;
  refused: number;
  channels: ReplayChannel[];
}

/** Collects messages replayed through a contract set's validators. */
export interface Replay {
  /** Validates one message as the hub would at publish time, and counts it. */
  add(message: ReplayedMessage): void;
  /** Declares a channel (so that a channel with no message is still reported). */
  channel(ch: string): void;
  /** The counts so far, channels in the order first seen, groups by channel, type and source. */
  report(): ReplayReport;
}

/**
 * Replays stored messages through the validators of `set` (e.g. a new version of the contracts): for every
 * channel, message type and producing component, how many messages the set would refuse and on which fields.
 */
export function createReplay(set: ContractSet): Replay {
  const channels = new Map<string, { declared: boolean; groups: Map<string, ReplayGroup & { byField: Map<string, ReplayField> }> }>();
  const channelOf = (ch: string) => {
    let c = channels.get(ch);
    if (!c) {
      c = { declared: set.channel(ch) !== undefined, groups: new Map() };
      channels.set(ch, c);
    }
    return c;
  };
  return {
    channel(ch) {
      channelOf(ch);
    },
    add(m) {
      const c = channelOf(m.ch);
      const key = `${m.type}\u0000${m.source}`;
      let g = c.groups.get(key);
      if (!g) {
        g = { ch: m.ch, type: m.type, source: m.source, checked: 0, refused: 0, fields: [], byField: new Map() };
        c.groups.set(key, g);
      }
      g.checked++;
      const v = set.validate(m.ch, m.type, m.data);
      if (!v) return;
      g.refused++;
      g.sample ??= { seq: m.seq, message: v.message };
      for (const d of v.details) {
        const fk = `${d.path}\u0000${d.rule}`;
        const f = g.byField.get(fk);
        if (f) f.count++;
        else g.byField.set(fk, { path: d.path, rule: d.rule, count: 1 });
      }
    },
    report() {
      const out: ReplayChannel[] = [];
      for (const [ch, c] of channels) {
        const groups = [...c.groups.values()].map(({ byField, ...g }) => ({ ...g, fields: [...byField.values()].sort((a, b) => b.count - a.count) }));
        out.push({ ch, declared: c.declared, checked: sum(groups, 'checked'), refused: sum(groups, 'refused'), groups });
      }
      return { checked: sum(out, 'checked'), refused: sum(out, 'refused'), channels: out };
    },
  };
}

function sum<T extends Record<K, number>, K extends string>(items: T[], key: K): number {
  return items.reduce((n, x) => n + x[key], 0);
}

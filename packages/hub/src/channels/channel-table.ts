import { matchChannel, SYS_PREFIX, type EnvelopeMeta } from '@switchboard/protocol';
import type { ContractSet, ChannelContract } from '@switchboard/contracts';
import { channelSettings, type ChannelSettings, type HubConfig } from '../config/config.js';
import type { Store, StoredMessage } from '../store/store.js';
import { FrameCache } from '../delivery/frames.js';

/** Something that receives every message appended to a channel, in seq order. */
export interface ChannelListener {
  /** `frames` is shared by the listeners of one message, so each encoded frame is built once. */
  onMessage(message: StoredMessage, frames: FrameCache): void;
}

/** The hub's runtime view of one channel. */
export class Channel {
  /** Seq of the newest message (durable: as stored; ephemeral: the in-memory counter). */
  head = 0;
  readonly listeners = new Set<ChannelListener>();

  constructor(
    readonly name: string,
    readonly settings: ChannelSettings,
  ) {}

  get durable(): boolean {
    return this.settings.mode === 'durable';
  }

  /** Hands a just-appended message to every listener. */
  deliver(message: StoredMessage): void {
    if (message.seq > this.head) this.head = message.seq;
    const frames = new FrameCache();
    for (const l of this.listeners) l.onMessage(message, frames);
  }
}

export interface ChannelTableDeps {
  store: Store;
  config: HubConfig;
  contracts: () => ContractSet;
}

/**
 * Every channel the hub has seen, created on first use with its settings (config, then the contract's
 * `x-switchboard`, then defaults). Listeners registered with `onNewChannel` learn of each new channel, so that
 * pattern subscriptions attach to it.
 */
export class ChannelTable {
  private readonly channels = new Map<string, Promise<Channel>>();
  private readonly known = new Map<string, Channel>();
  private readonly newChannelListeners = new Set<(ch: Channel) => void>();

  constructor(private readonly deps: ChannelTableDeps) {}

  /** The channel, created (and its durable log declared) on first use. */
  get(name: string): Promise<Channel> {
    let p = this.channels.get(name);
    if (!p) {
      p = this.create(name);
      this.channels.set(name, p);
      p.catch(() => this.channels.delete(name));
    }
    return p;
  }

  /** The channel when it is already open, without waiting. */
  peek(name: string): Channel | undefined {
    return this.known.get(name);
  }

  /** Every channel opened so far. */
  opened(): IterableIterator<Channel> {
    return this.known.values();
  }

  /** The contract of a channel (dead-letter logs have none). */
  contract(name: string): ChannelContract | undefined {
    if (name.startsWith('$')) return undefined;
    return this.deps.contracts().channel(name);
  }

  /** Names of every channel, stored or open, that match `pattern` (reserved `$` channels only for `$` patterns). */
  async matching(pattern: string): Promise<string[]> {
    const names = new Set<string>(await this.deps.store.channels());
    for (const n of this.known.keys()) names.add(n);
    const reserved = pattern.startsWith('$');
    return [...names].filter((n) => (reserved || !n.startsWith('$')) && matchChannel(pattern, n)).sort();
  }

  onNewChannel(fn: (ch: Channel) => void): () => void {
    this.newChannelListeners.add(fn);
    return () => this.newChannelListeners.delete(fn);
  }

  private async create(name: string): Promise<Channel> {
    const ext = this.contract(name)?.extensions;
    // Reserved channels: `$sys.*` (the hub's events) live only; every other (`$dlq.*`) is logged.
    const reservedMode = name.startsWith(SYS_PREFIX) ? ('ephemeral' as const) : ('durable' as const);
    const settings = name.startsWith('$') ? { ...this.deps.config.channelDefaults, mode: reservedMode } : channelSettings(this.deps.config, name, ext);
    const ch = new Channel(name, settings);
    if (ch.durable) {
      await this.deps.store.ensureChannel(name, { maxMessages: settings.maxMessages, maxAgeMs: settings.maxAgeMs });
      ch.head = (await this.deps.store.info(name)).last;
    }
    this.known.set(name, ch);
    for (const fn of this.newChannelListeners) fn(ch);
    return ch;
  }
}

/** A dead-letter entry: the refused message and why. */
export interface DeadLetterInput {
  ch: string;
  type: string;
  source: string;
  data: unknown;
  meta?: EnvelopeMeta;
  /** The publisher's JSON text of `data` and of `meta`, kept as written in the dead letter (see `AppendInput`). */
  dataText?: string;
  metaText?: string;
  reason: string;
  code: string;
  details?: unknown;
  msgId?: string;
  /** Seq in the original channel (set when a stored message exhausted its deliveries). */
  seq?: number;
  deliveries?: number;
}

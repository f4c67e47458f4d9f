import { SYS_PREFIX } from '@switchboard/protocol';
import type { FeatureHost } from '../features/feature.js';
import { PairRateTable, RateTable, RateWindow } from './rate-window.js';

/**
 * What flowed over the last minute, fed by the hub's events: per channel (published, delivered, refused), per
 * publisher → channel and channel → receiving component (the integration map), and hub-wide accepted and refused
 * publishes (the error rate). Events on the hub's own `$sys.` channels are not counted as publishes.
 */
export class Traffic {
  readonly published: RateTable;
  readonly delivered: RateTable;
  readonly refused: RateTable;
  /** (component, channel) → messages published (accepted). */
  readonly publishers: PairRateTable;
  /** (component, channel) → publishes refused. */
  readonly refusers: PairRateTable;
  /** (component, channel) → `msg` frames written to that component. */
  readonly receivers: PairRateTable;
  readonly accepted = new RateWindow();
  readonly rejected = new RateWindow();

  constructor(
    maxKeys: number,
    readonly now: () => number,
  ) {
    this.published = new RateTable(maxKeys, now);
    this.delivered = new RateTable(maxKeys, now);
    this.refused = new RateTable(maxKeys, now);
    this.publishers = new PairRateTable(maxKeys, now);
    this.refusers = new PairRateTable(maxKeys, now);
    this.receivers = new PairRateTable(maxKeys, now);
  }

  /** Listens to the hub's paths through the feature seam. */
  attach(host: FeatureHost): void {
    host.onPublished((e) => this.onPublished(e.ch, e.source));
    host.onRefused((e) => this.onRefused(e.ch, e.source));
    host.onDelivered((e) => this.onDelivered(e.ch, e.component));
  }

  onPublished(ch: string, source: string): void {
    if (ch.startsWith(SYS_PREFIX)) return;
    const now = this.now();
    this.published.add(ch, 1, now);
    this.publishers.add(source, ch, 1, now);
    this.accepted.add(now);
  }

  /** `ch` is undefined when the refused frame named none. */
  onRefused(ch: string | undefined, source: string): void {
    if (ch?.startsWith(SYS_PREFIX)) return;
    const name = ch ?? '(none)';
    const now = this.now();
    this.refused.add(name, 1, now);
    this.refusers.add(source, name, 1, now);
    this.rejected.add(now);
  }

  onDelivered(ch: string, component: string): void {
    const now = this.now();
    this.delivered.add(ch, 1, now);
    this.receivers.add(component, ch, 1, now);
  }

  /** Keys of the rate tables that found no room, summed (0 unless more channels than the bound were busy). */
  untracked(): number {
    return [this.published, this.delivered, this.refused, this.publishers, this.refusers, this.receivers].reduce((n, t) => n + t.untracked, 0);
  }
}

import { DLQ_PREFIX } from '@switchboard/protocol';
import type { AlertThresholds } from '../config/admin-config.js';
import type { FeatureHost } from '../features/feature.js';
import { SYS_ALERTS, type SysEvents } from './sys-events.js';
import type { Traffic } from './traffic.js';

/** The kinds of `$sys.alerts`. */
export type AlertKind = 'consumer_lag' | 'dlq_growth' | 'error_rate';

/** One measurement that may fire an alert: `key` names what it is about (a group, a dead-letter log, the hub). */
export interface AlertReading {
  alert: AlertKind;
  key: string;
  value: number;
  threshold: number;
  /** Fields of the event (`ch`, `group`). */
  subject: Record<string, string>;
  /** What an operator does about it. */
  message: string;
}

/**
 * Checks the thresholds every `intervalMs` and publishes on `$sys.alerts` when an alert starts (`firing`) and when
 * it ends (`resolved`), never again while it stays the same. Lag is a consumer group's head − ack floor on this
 * node; DLQ growth is the entries added to a dead-letter log since the previous check; the error rate is the share
 * of refused publishes over the last minute.
 */
export class AlertWatch {
  private readonly firing = new Map<string, AlertReading>();
  private readonly dlqHeads = new Map<string, number>();
  private baseline = true;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly host: FeatureHost,
    private readonly traffic: Traffic,
    private readonly events: SysEvents,
    private readonly thresholds: AlertThresholds,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.thresholds.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One check (skipped while the previous one runs). */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const readings = [...this.lag(), ...(await this.dlqGrowth()), ...this.errorRate()];
      this.baseline = false;
      const seen = new Set<string>();
      for (const r of readings) {
        const id = `${r.alert}\u0000${r.key}`;
        const over = r.value >= r.threshold;
        if (over) seen.add(id);
        if (over && !this.firing.has(id)) {
          this.firing.set(id, r);
          this.events.publish(SYS_ALERTS, 'alert', {
            alert: r.alert,
            state: 'firing',
            ...r.subject,
            value: r.value,
            threshold: r.threshold,
            message: r.message,
          });
        }
      }
      for (const [id, r] of this.firing) {
        if (seen.has(id)) continue;
        this.firing.delete(id);
        this.events.publish(SYS_ALERTS, 'alert', {
          alert: r.alert,
          state: 'resolved',
          ...r.subject,
          threshold: r.threshold,
          message: `resolved: ${r.message}`,
        });
      }
    } catch (err) {
      this.host.log.warn({ err }, 'admin: the alert check failed; it runs again at the next interval');
    } finally {
      this.running = false;
    }
  }

  private lag(): AlertReading[] {
    const heads = new Map(this.host.inspect.channels().map((c) => [c.ch, c]));
    const out: AlertReading[] = [];
    for (const g of this.host.inspect.groups()) {
      const ch = heads.get(g.ch);
      if (!ch?.durable) continue;
      const lag = Math.max(0, ch.head - g.ackFloor);
      out.push({
        alert: 'consumer_lag',
        key: `${g.ch}\u0000${g.group}`,
        value: lag,
        threshold: this.thresholds.consumerLag,
        subject: { ch: g.ch, group: g.group },
        message: `group "${g.group}" on "${g.ch}" is ${lag} messages behind; add members or see why they do not acknowledge`,
      });
    }
    return out;
  }

  private async dlqGrowth(): Promise<AlertReading[]> {
    const out: AlertReading[] = [];
    for (const dlq of (await this.host.store.channels()).filter((c) => c.startsWith(DLQ_PREFIX))) {
      const head = (await this.host.store.info(dlq)).last;
      const before = this.dlqHeads.get(dlq);
      this.dlqHeads.set(dlq, head);
      if (before === undefined && this.baseline) continue;
      const grown = head - (before ?? 0);
      const ch = dlq.slice(DLQ_PREFIX.length);
      out.push({
        alert: 'dlq_growth',
        key: dlq,
        value: grown,
        threshold: this.thresholds.dlqGrowth,
        subject: { ch },
        message: `${grown} new dead letters in ${dlq} since the last check; inspect them with switchboard dlq list ${ch}`,
      });
    }
    return out;
  }

  private errorRate(): AlertReading[] {
    const now = this.traffic.now();
    const refused = this.traffic.rejected.total(now);
    const total = refused + this.traffic.accepted.total(now);
    const rate = total >= this.thresholds.errorRateMinPublishes ? Math.round((refused / total) * 1000) / 1000 : 0;
    return [
      {
        alert: 'error_rate',
        key: 'hub',
        value: rate,
        threshold: this.thresholds.errorRate,
        subject: {},
        message: `${refused} of ${total} publishes refused over the last minute; see $sys.violations or switchboard dlq list`,
      },
    ];
  }
}

import { SYS_PREFIX } from '@switchboard/protocol';
import type { FeatureHost } from '../features/feature.js';
import type { ConnectionEvent, RefusedEvent } from '../features/hub-events.js';

/** The hub's event channels. */
export const SYS_COMPONENTS = `${SYS_PREFIX}components`;
export const SYS_VIOLATIONS = `${SYS_PREFIX}violations`;
export const SYS_ALERTS = `${SYS_PREFIX}alerts`;

/** The component id the hub publishes its events as (the envelopes' `source`). */
export const HUB_SOURCE = 'switchboard-hub';

/**
 * Publishes the hub's events on the `$sys.*` channels through the one publish path (ephemeral: live subscribers
 * only, and the other nodes of a cluster through the bus). Never throws: an event that cannot be published is
 * logged at debug level and dropped.
 */
export class SysEvents {
  private windowSecond = -1;
  private sentInWindow = 0;
  private skipped = 0;
  private skippedSince = 0;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: FeatureHost,
    private readonly now: () => number,
  ) {}

  /** Publishes one event of `type` with `data` (the node and the time are added) on `ch`. */
  publish(ch: string, type: string, data: Record<string, unknown>): void {
    const body = { ...data, node: this.host.config.nodeId, at: new Date(this.now()).toISOString() };
    try {
      const r = this.host.router.publish({ ch, type, data: body, source: HUB_SOURCE, system: true });
      if (r instanceof Promise) r.catch((err: unknown) => this.host.log.debug({ err, ch }, 'admin: a hub event was not published'));
    } catch (err) {
      this.host.log.debug({ err, ch }, 'admin: a hub event was not published');
    }
  }

  /** `$sys.components`: a component connected (after its welcome) or disconnected. */
  onConnection(e: ConnectionEvent): void {
    this.publish(SYS_COMPONENTS, e.event === 'open' ? 'component.connected' : 'component.disconnected', {
      component: e.component,
      version: e.version ?? null,
      session: e.session,
      ...(e.code !== undefined ? { code: e.code } : {}),
    });
  }

  /**
   * `$sys.violations`: a refused publish, at most `perSecond` a second; past that the refusals of the second are
   * counted, and one `violations.skipped` event with the count follows when the second is over.
   */
  onRefused(e: RefusedEvent, perSecond: number): void {
    if (e.ch?.startsWith(SYS_PREFIX)) return;
    const now = this.now();
    const second = Math.floor(now / 1000);
    if (second !== this.windowSecond) {
      this.flushSkipped();
      this.windowSecond = second;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow >= perSecond) {
      if (this.skipped === 0) {
        this.skippedSince = now;
        this.summaryTimer = setTimeout(() => this.flushSkipped(), (second + 1) * 1000 - now + 5);
        this.summaryTimer.unref();
      }
      this.skipped++;
      return;
    }
    this.sentInWindow++;
    this.publish(SYS_VIOLATIONS, 'violation', {
      ch: e.ch ?? null,
      type: e.type ?? null,
      component: e.source,
      code: e.code,
      reason: e.message,
      details: e.details ?? null,
    });
  }

  /** Publishes the count of the violations left out, if any. */
  flushSkipped(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    if (this.skipped === 0) return;
    const count = this.skipped;
    this.skipped = 0;
    this.publish(SYS_VIOLATIONS, 'violations.skipped', { count, since: new Date(this.skippedSince).toISOString() });
  }

  close(): void {
    clearTimeout(this.summaryTimer);
  }
}

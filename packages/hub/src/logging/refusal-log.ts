import type { ErrorCode } from '@switchboard/protocol';

/** One refusal the hub answered: an `err` frame on a socket, or a 4xx/5xx of the HTTP API. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  /** The channel of the refused frame or request, when it named one. */
  ch?: string;
  /** The component of the connection (undefined before `hello`, or over HTTP). */
  component?: string;
  /** The session of the connection (undefined before `hello`, or over HTTP). */
  session?: string;
  /** `meta.correlation_id` of the refused frame, when it had one. */
  correlationId?: string;
  transport: 'ws' | 'http';
}

export interface RefusalLogOptions {
  log: { info(obj: unknown, msg?: string): void };
  /** Length of one summary interval (ms, default 5000). */
  intervalMs?: number;
  /** How many codes and channels a summary names (default 5). */
  top?: number;
}

/**
 * Logs refusals without a line per message: the first refusal after a quiet interval is logged at once, in full
 * (code, channel, component, message); the ones that follow within the interval are counted, and one line per
 * interval gives their count and the most frequent codes and channels. At 10,000 refusals a second that is one
 * line every `intervalMs`.
 */
export class RefusalLog {
  private readonly log: RefusalLogOptions['log'];
  private readonly intervalMs: number;
  private readonly top: number;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;
  private readonly codes = new Map<string, number>();
  private readonly channels = new Map<string, number>();

  constructor(options: RefusalLogOptions) {
    this.log = options.log;
    this.intervalMs = options.intervalMs ?? 5000;
    this.top = options.top ?? 5;
  }

  note(r: Refusal): void {
    if (this.timer === undefined) {
      this.log.info(
        { code: r.code, ch: r.ch, component: r.component, session: r.session, correlation_id: r.correlationId, transport: r.transport, reason: r.message },
        `refused ${r.code}${r.ch ? ` on ${r.ch}` : ''}; further refusals within ${this.intervalMs} ms are summed up in one line`,
      );
      this.arm();
      return;
    }
    this.count++;
    this.codes.set(r.code, (this.codes.get(r.code) ?? 0) + 1);
    if (r.ch !== undefined) this.channels.set(r.ch, (this.channels.get(r.ch) ?? 0) + 1);
  }

  /** Logs what is counted and not yet logged (when the hub stops). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.summarise();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      // A quiet interval ends the series: the next refusal is logged at once again.
      if (this.summarise()) this.arm();
      else this.timer = undefined;
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Logs the summary line of the interval; false when nothing was refused in it. */
  private summarise(): boolean {
    if (this.count === 0) return false;
    const topOf = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, this.top));
    const codes = topOf(this.codes);
    this.log.info(
      { refused: this.count, interval_ms: this.intervalMs, codes, channels: topOf(this.channels) },
      `refused ${this.count} more frames or requests (${Object.entries(codes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')})`,
    );
    this.count = 0;
    this.codes.clear();
    this.channels.clear();
    return true;
  }
}

import type { IntegrationPoint } from './results.js';

type Counter = 'messages' | 'refused' | 'errors';

/** What flowed during a run, by integration point, channel and step; the report's point table and count targets read it. */
export class Traffic {
  private readonly points = new Map<string, IntegrationPoint>();
  private readonly byChannel = new Map<string, Record<Counter, number>>();
  private readonly byStep = new Map<string, Record<Counter, number>>();
  private readonly totals: Record<Counter, number> = { messages: 0, refused: 0, errors: 0 };

  /**
   * Adds one to a counter of a point, and to its step's and channel's counts. A message accepted by the hub
   * (`to` is `hub`) is not a `messages` count of its channel or of the run, which count deliveries only.
   */
  count(p: { from: string; to: string; channel: string; protocol: 'ws' | 'http' }, what: Counter, step?: string): void {
    const n = 1;
    const key = `${p.from}\u0000${p.to}\u0000${p.channel}\u0000${p.protocol}`;
    let point = this.points.get(key);
    if (!point) {
      point = { ...p, messages: 0, refused: 0, errors: 0, status: 'no traffic' };
      this.points.set(key, point);
    }
    point[what] += n;
    if (!(what === 'messages' && p.to === 'hub')) {
      bump(this.byChannel, p.channel, what, n);
      this.totals[what] += n;
    }
    if (step) bump(this.byStep, step, what, n);
  }

  /** Adds `n` to a step's count only (e.g. the messages an `expect` step matched). */
  countStep(step: string, what: Counter): void {
    bump(this.byStep, step, what, 1);
  }

  /** A count, for the whole run or limited to a step and/or channel. */
  total(what: Counter, filter: { step?: string; channel?: string } = {}): number {
    // A step acts on one channel, so the step filter wins when both are given.
    if (filter.step !== undefined) return this.byStep.get(filter.step)?.[what] ?? 0;
    if (filter.channel !== undefined) return this.byChannel.get(filter.channel)?.[what] ?? 0;
    return this.totals[what];
  }

  /** Every point, with its status. */
  list(): IntegrationPoint[] {
    return [...this.points.values()].map((p) => ({
      ...p,
      status: p.errors > 0 ? 'fail' : p.messages + p.refused > 0 ? 'pass' : 'no traffic',
    }));
  }
}

function bump(map: Map<string, Record<Counter, number>>, key: string, what: Counter, n: number): void {
  let c = map.get(key);
  if (!c) {
    c = { messages: 0, refused: 0, errors: 0 };
    map.set(key, c);
  }
  c[what] += n;
}

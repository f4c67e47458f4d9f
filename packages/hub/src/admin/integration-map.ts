import { covers, perSecond, type StatusSource } from './status.js';
import { WINDOW_SECONDS } from './rate-window.js';

/** One publisher → channel edge of the map. */
export interface PublishEdge {
  component: string;
  ch: string;
  /** Accepted over the last minute. */
  messages: number;
  /** Refused over the last minute. */
  refused: number;
  per_second: number;
}

/** One channel → subscriber edge: a live subscription (or deliveries of the last minute to a component). */
export interface SubscribeEdge {
  component: string;
  pattern: string;
  group: string | null;
  ack: string | null;
  /** Live subscriptions of this kind now (0: the component received in the last minute, but is gone). */
  subscriptions: number;
  /** `msg` frames written per concrete channel over the last minute. */
  channels: { ch: string; delivered: number; per_second: number }[];
}

/** `GET /v1/admin/map`: which component publishes to and subscribes to which channel, with the last minute's flow. */
export function buildMap(src: StatusSource): Record<string, unknown> {
  const { host, traffic } = src;
  const conns = host.inspect.connections();
  const components = new Map<string, { component: string; versions: Set<string>; connections: number }>();
  for (const c of conns) {
    const e = components.get(c.component) ?? { component: c.component, versions: new Set<string>(), connections: 0 };
    e.connections++;
    if (c.version !== undefined) e.versions.add(c.version);
    components.set(c.component, e);
  }

  const publishes = new Map<string, PublishEdge>();
  const edge = (component: string, ch: string): PublishEdge => {
    const key = `${component}\u0000${ch}`;
    let e = publishes.get(key);
    if (!e) {
      e = { component, ch, messages: 0, refused: 0, per_second: 0 };
      publishes.set(key, e);
    }
    return e;
  };
  for (const [component, ch, n] of traffic.publishers.active()) edge(component, ch).messages = n;
  for (const [component, ch, n] of traffic.refusers.active()) edge(component, ch).refused = n;
  for (const e of publishes.values()) e.per_second = perSecond(e.messages);

  const received = traffic.receivers.active().map(([component, ch, delivered]) => ({ component, ch, delivered }));
  const subscribes = new Map<string, SubscribeEdge>();
  for (const c of conns) {
    for (const s of c.subscriptions) {
      const key = `${s.component}\u0000${s.pattern}\u0000${s.group ?? ''}\u0000${s.ack}`;
      const hit = subscribes.get(key);
      if (hit) hit.subscriptions++;
      else subscribes.set(key, { component: s.component, pattern: s.pattern, group: s.group ?? null, ack: s.ack, subscriptions: 1, channels: [] });
    }
  }
  const placed = new Set<string>();
  for (const e of subscribes.values()) {
    for (const r of received) {
      if (r.component !== e.component || !covers(e.pattern, r.ch)) continue;
      placed.add(`${r.component}\u0000${r.ch}`);
      if (!e.channels.some((c) => c.ch === r.ch)) e.channels.push({ ch: r.ch, delivered: r.delivered, per_second: perSecond(r.delivered) });
    }
  }
  for (const r of received) {
    if (placed.has(`${r.component}\u0000${r.ch}`)) continue;
    subscribes.set(`gone\u0000${r.component}\u0000${r.ch}`, {
      component: r.component,
      pattern: r.ch,
      group: null,
      ack: null,
      subscriptions: 0,
      channels: [{ ch: r.ch, delivered: r.delivered, per_second: perSecond(r.delivered) }],
    });
  }
  const byName = <T extends { component: string }>(a: T, b: T) => a.component.localeCompare(b.component);
  return {
    node: host.config.nodeId,
    window_s: WINDOW_SECONDS,
    components: [...components.values()].map((c) => ({ component: c.component, versions: [...c.versions].sort(), connections: c.connections })).sort(byName),
    publishes: [...publishes.values()].sort((a, b) => byName(a, b) || a.ch.localeCompare(b.ch)),
    subscribes: [...subscribes.values()].sort((a, b) => byName(a, b) || a.pattern.localeCompare(b.pattern)),
  };
}

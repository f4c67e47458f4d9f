// Overview: the integration map — publishing components → channels → receiving components, with the rates and
// refusals of the last minute, live; every node links to its channel or component. Below it, the same flows as a
// list (what a screen reader reads), and the hub's alerts.
import type { LiveState } from '../live';
import { ago, rate } from '../live';
import type { MapData } from '../types';

interface Edge {
  from: string;
  to: string;
  perSecond: number;
  refused: number;
}

/** Publishers, channels and receivers of the map (the hub's own $sys.* channels left out). */
export function flows(map: MapData | undefined) {
  const pubs: Edge[] = [];
  const subs: Edge[] = [];
  for (const p of map?.publishes ?? []) if (!p.ch.startsWith('$')) pubs.push({ from: p.component, to: p.ch, perSecond: p.per_second, refused: p.refused });
  for (const s of map?.subscribes ?? [])
    for (const c of s.channels) if (!c.ch.startsWith('$')) subs.push({ from: c.ch, to: s.component, perSecond: c.per_second, refused: 0 });
  const channels = [...new Set([...pubs.map((e) => e.to), ...subs.map((e) => e.from)])].sort();
  const publishers = [...new Set(pubs.map((e) => e.from))].sort();
  const receivers = [...new Set(subs.map((e) => e.to))].sort();
  return { pubs, subs, channels, publishers, receivers };
}

const ROW = 64;
const COL = [20, 330, 640];
const BOX_W = 220;
const BOX_H = 40;

export function Overview({ state }: { state: LiveState }) {
  const { pubs, subs, channels, publishers, receivers } = flows(state.map);
  const rows = Math.max(1, channels.length, publishers.length, receivers.length);
  const height = rows * ROW + 24;
  const y = (list: string[], name: string) => {
    const offset = ((rows - list.length) * ROW) / 2;
    return 12 + offset + list.indexOf(name) * ROW;
  };
  const path = (x1: number, y1: number, x2: number, y2: number) => `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
  const chains = channels.flatMap((ch) => {
    const ins = pubs.filter((e) => e.to === ch);
    const outs = subs.filter((e) => e.from === ch);
    return (ins.length ? ins : [undefined]).flatMap((i) => (outs.length ? outs : [undefined]).map((o) => ({ ch, i, o })));
  });

  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title">Integration map</h2>
      <p class="muted">
        Who publishes to and receives from which channel on node {state.map?.node ?? '…'}, over the last {state.map?.window_s ?? 60} s. Select a channel or a
        component for its details.
      </p>
      {channels.length === 0 ? (
        <p class="empty">No traffic in the last minute. Components that publish or subscribe appear here as they do.</p>
      ) : (
        <div class="map-scroll">
          <svg class="map" viewBox={`0 0 ${COL[2]! + BOX_W + 20} ${height}`} role="img" aria-label="integration map">
            {pubs.map((e) => {
              const [x1, y1, x2, y2] = [COL[0]! + BOX_W, y(publishers, e.from) + BOX_H / 2, COL[1]!, y(channels, e.to) + BOX_H / 2];
              const at = labelAt(x1, y1, x2, y2, degree(pubs, e.from, 'from') <= degree(pubs, e.to, 'to'));
              return (
                <g key={`p${e.from}${e.to}`} class={e.refused > 0 ? 'edge refused' : 'edge'}>
                  <path d={path(x1, y1, x2, y2)} />
                  <text x={at.x} y={at.y - 6} text-anchor={at.anchor}>
                    {rate(e.perSecond)}/s
                  </text>
                  {e.refused > 0 && (
                    <text x={at.x} y={at.y + 16} text-anchor={at.anchor} class="refusals">
                      {e.refused} refused
                    </text>
                  )}
                </g>
              );
            })}
            {subs.map((e) => {
              const [x1, y1, x2, y2] = [COL[1]! + BOX_W, y(channels, e.from) + BOX_H / 2, COL[2]!, y(receivers, e.to) + BOX_H / 2];
              const at = labelAt(x1, y1, x2, y2, degree(subs, e.from, 'from') < degree(subs, e.to, 'to'));
              return (
                <g key={`s${e.from}${e.to}`} class="edge">
                  <path d={path(x1, y1, x2, y2)} />
                  <text x={at.x} y={at.y - 6} text-anchor={at.anchor}>
                    {rate(e.perSecond)}/s
                  </text>
                </g>
              );
            })}
            {publishers.map((c) => (
              <MapNode key={`pc${c}`} x={COL[0]!} y={y(publishers, c)} label={c} href={`#/components/${encodeURIComponent(c)}`} kind="component" />
            ))}
            {channels.map((ch) => (
              <MapNode key={`ch${ch}`} x={COL[1]!} y={y(channels, ch)} label={ch} href={`#/channels/${encodeURIComponent(ch)}`} kind="channel" />
            ))}
            {receivers.map((c) => (
              <MapNode key={`rc${c}`} x={COL[2]!} y={y(receivers, c)} label={c} href={`#/components/${encodeURIComponent(c)}`} kind="component" />
            ))}
          </svg>
        </div>
      )}
      <h3>Flows</h3>
      <ul class="flows" aria-label="flows">
        {chains.map(({ ch, i, o }) => (
          <li key={`${i?.from}>${ch}>${o?.to}`} data-flow={`${i?.from ?? ''} → ${ch} → ${o?.to ?? ''}`}>
            {i ? <a href={`#/components/${encodeURIComponent(i.from)}`}>{i.from}</a> : <span class="muted">(no publisher)</span>} →{' '}
            <a href={`#/channels/${encodeURIComponent(ch)}`}>{ch}</a> →{' '}
            {o ? <a href={`#/components/${encodeURIComponent(o.to)}`}>{o.to}</a> : <span class="muted">(no receiver)</span>}
            <span class="muted">
              {' '}
              {i ? `${rate(i.perSecond)}/s in` : ''}
              {i && i.refused > 0 ? `, ${i.refused} refused` : ''}
              {o ? ` · ${rate(o.perSecond)}/s out` : ''}
            </span>
          </li>
        ))}
      </ul>
      <h3>Alerts</h3>
      {state.alerts.length === 0 ? (
        <p class="muted">No alert since this page opened.</p>
      ) : (
        <ul class="alerts">
          {state.alerts.slice(0, 20).map((a) => (
            <li key={a.key} class={a.state === 'firing' ? 'firing' : 'resolved'}>
              <strong>
                {a.alert} {a.state}
              </strong>{' '}
              {a.ch ?? ''} {a.group ?? ''} — {a.message} <span class="muted">{ago(a.at)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Edges of `edges` at node `name` (as their `from` or `to`). */
function degree(edges: Edge[], name: string, side: 'from' | 'to'): number {
  return edges.filter((e) => e[side] === name).length;
}

/** Where an edge's label goes: beside its start (`atStart`) or its end, where it does not meet the other edges' labels. */
function labelAt(x1: number, y1: number, x2: number, y2: number, atStart: boolean): { x: number; y: number; anchor: 'start' | 'end' } {
  return atStart ? { x: x1 + 8, y: y1, anchor: 'start' } : { x: x2 - 8, y: y2, anchor: 'end' };
}

function MapNode({ x, y, label, href, kind }: { x: number; y: number; label: string; href: string; kind: 'channel' | 'component' }) {
  return (
    <a href={href} class={`node ${kind}`} aria-label={`${kind} ${label}`}>
      <rect x={x} y={y} width={BOX_W} height={BOX_H} rx={kind === 'channel' ? 20 : 6} />
      <text x={x + BOX_W / 2} y={y + BOX_H / 2 + 5} text-anchor="middle">
        {label.length > 28 ? `${label.slice(0, 27)}…` : label}
      </text>
    </a>
  );
}

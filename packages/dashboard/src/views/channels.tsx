// Channels: every channel with its rates now, and one channel in detail — rate, latency and group-lag charts from
// the hub's own last hour (GET /v1/admin/history, read again every 10 s while the channel is shown), its
// subscribers, groups, contract and dead letters.
import { TableHead } from './table-head';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { Chart } from '../chart';
import { rate, type LiveState } from '../live';
import { JsonView } from '../json-view';
import type { ChannelDetail, ChannelHistory, ChannelStatus } from '../types';

const COLORS = ['#4cc38a', '#5aa9e6', '#f2b134', '#e5484d', '#b18cf2', '#3ec7c7'];

export function Channels({ state, selected }: { state: LiveState; selected?: string }) {
  const [showSys, setShowSys] = useState(false);
  const all = state.status?.channels ?? [];
  const channels = all.filter((c) => showSys || !c.ch.startsWith('$'));
  const current = selected ? all.find((c) => c.ch === selected) : undefined;
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      <label class="inline">
        <input type="checkbox" checked={showSys} onChange={(e) => setShowSys((e.target as HTMLInputElement).checked)} /> show the hub's own $sys.* channels
      </label>
      <div class="table-scroll">
        <table class="channels">
          <caption class="sr-only">Channels, rates now (the last 5 s)</caption>
          <TableHead cols={['channel', 'published/s', 'delivered/s', 'refused/s', 'head', 'subscribers', 'dead letters']} />
          <tbody>
            {channels.map((c) => (
              <tr key={c.ch} class={c.ch === selected ? 'selected' : ''} data-ch={c.ch}>
                <th scope="row">
                  <a href={`#/channels/${encodeURIComponent(c.ch)}`} aria-current={c.ch === selected ? 'page' : undefined}>
                    {c.ch}
                  </a>
                </th>
                <td class="num">{rate(c.recent_per_second.published)}</td>
                <td class="num">{rate(c.recent_per_second.delivered)}</td>
                <td class={`num ${c.per_second.refused > 0 ? 'bad' : ''}`}>{rate(c.recent_per_second.refused)}</td>
                <td class="num">{c.head.toLocaleString('en')}</td>
                <td class="num">{c.subscribers}</td>
                <td class="num">{c.dlq.depth > 0 ? <a href={`#/dlq/${encodeURIComponent(c.ch)}`}>{c.dlq.depth}</a> : 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && !current && <p class="empty">No channel {selected} on this node.</p>}
      {current && <ChannelDetail state={state} c={current} />}
    </section>
  );
}

function ChannelDetail({ state, c }: { state: LiveState; c: ChannelStatus }) {
  const [history, setHistory] = useState<ChannelHistory | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    setHistory(undefined);
    let every = 10;
    const load = async () => {
      try {
        const h = await api<ChannelHistory>(`/v1/admin/history?ch=${encodeURIComponent(c.ch)}`);
        every = h.interval_s;
        if (!stop) setHistory(h);
        setError(undefined);
      } catch (err) {
        if (!stop) setError((err as Error).message);
      }
      if (!stop) timer = setTimeout(load, Math.max(1000, every * 1000)); // a new sample closes every interval
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [c.ch]);

  const subscribers = (state.map?.subscribes ?? []).filter((s) => s.channels.some((x) => x.ch === c.ch) || s.pattern === c.ch);
  const publishers = (state.map?.publishes ?? []).filter((p) => p.ch === c.ch);
  const charts = useMemo(() => {
    if (!history) return undefined;
    const per = (xs: number[]) => xs.map((n) => n / history.interval_s);
    return {
      rates: [
        { label: 'published/s', color: COLORS[0]!, values: per(history.published) },
        { label: 'delivered/s', color: COLORS[1]!, values: per(history.delivered) },
        { label: 'refused/s', color: COLORS[3]!, values: per(history.refused) },
      ],
      latency: [
        { label: 'p50', color: COLORS[1]!, values: history.latency_ms.p50 },
        { label: 'p99', color: COLORS[2]!, values: history.latency_ms.p99 },
      ],
      lag: history.groups.map((g, i) => ({ label: `${g.group} lag`, color: COLORS[(i + 4) % COLORS.length]!, values: g.lag })),
    };
  }, [history]);

  const interval = history?.interval_s ?? 10;
  const minutes = ((history?.slots ?? 360) * interval) / 60;
  const span = `${interval} s samples, last ${minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`}`;
  return (
    <article class="detail" aria-labelledby="channel-detail-title">
      <h3 id="channel-detail-title">{c.ch}</h3>
      <dl class="tiles">
        <Tile label="published/s now" value={rate(c.recent_per_second.published)} testid="rate-published" />
        <Tile label="delivered/s now" value={rate(c.recent_per_second.delivered)} />
        <Tile label="refused in the last minute" value={String(c.last_minute.refused)} bad={c.last_minute.refused > 0} />
        <Tile label="head" value={c.head.toLocaleString('en')} />
        <Tile label="retained" value={c.retained ? c.retained.count.toLocaleString('en') : c.durable ? '–' : 'ephemeral'} />
        <Tile label="dead letters" value={String(c.dlq.depth)} bad={c.dlq.depth > 0} href={c.dlq.depth > 0 ? `#/dlq/${encodeURIComponent(c.ch)}` : undefined} />
      </dl>
      {error && <p class="error">History unavailable: {error}</p>}
      <div class="charts">
        <Chart title={`Rates (per second; ${span})`} t={history?.t ?? []} series={charts?.rates ?? []} unit="/s" interval={interval} />
        <Chart title={`Delivery latency p50 / p99 (ms; ${span})`} t={history?.t ?? []} series={charts?.latency ?? []} unit="ms" interval={interval} />
        {(charts?.lag.length ?? 0) > 0 && (
          <Chart title={`Consumer group lag (messages; ${span})`} t={history!.t} series={charts!.lag} unit="msgs" interval={interval} />
        )}
      </div>
      <div class="cols">
        <div>
          <h4>Publishers (last minute)</h4>
          {publishers.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <ul>
              {publishers.map((p) => (
                <li key={p.component}>
                  <a href={`#/components/${encodeURIComponent(p.component)}`}>{p.component}</a> {rate(p.per_second)}/s
                  {p.refused > 0 && <span class="bad"> · {p.refused} refused</span>}
                </li>
              ))}
            </ul>
          )}
          <h4>Subscribers</h4>
          {subscribers.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <ul>
              {subscribers.map((s) => (
                <li key={`${s.component}${s.pattern}${s.group}`}>
                  <a href={`#/components/${encodeURIComponent(s.component)}`}>{s.component}</a> on <code>{s.pattern}</code>
                  {s.group ? ` group ${s.group}` : ''} {s.ack ? `ack ${s.ack}` : ''} ×{s.subscriptions}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h4>Consumer groups</h4>
          {c.groups.length === 0 ? (
            <p class="muted">none with members on this node</p>
          ) : (
            <table>
              <TableHead cols={['group', 'members', 'ack floor', 'lag', 'pending']} />
              <tbody>
                {c.groups.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{g.group}</th>
                    <td class="num">{g.members}</td>
                    <td class="num">{g.ack_floor}</td>
                    <td class={`num ${g.lag > 1000 ? 'bad' : ''}`}>{g.lag}</td>
                    <td class="num">{g.pending}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Setup ch={c.ch} contractFile={c.contract?.file} messageTypes={c.contract?.message_types.join(',')} />
        </div>
      </div>
    </article>
  );
}

function Tile({ label, value, bad, href, testid }: { label: string; value: string; bad?: boolean; href?: string; testid?: string }) {
  return (
    <div class={`tile ${bad ? 'bad' : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testid}>{href ? <a href={href}>{value}</a> : value}</dd>
    </div>
  );
}

/** A channel's settings and contract (`GET /v1/admin/channels/{ch}`), read again when its contract changes. */
function Setup({ ch, contractFile, messageTypes }: { ch: string; contractFile?: string; messageTypes?: string }) {
  const [detail, setDetail] = useState<ChannelDetail | undefined>();
  useEffect(() => {
    api<ChannelDetail>(`/v1/admin/channels/${encodeURIComponent(ch)}`).then(setDetail, () => setDetail(undefined));
  }, [ch, contractFile, messageTypes]);
  if (!detail) return null;
  const { settings: s, contract } = detail;
  const retention = [
    s.retention.max_messages !== null && `${s.retention.max_messages.toLocaleString('en')} messages`,
    s.retention.max_age_ms !== null && duration(s.retention.max_age_ms),
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <>
      <h4>Settings</h4>
      <p>
        {s.mode}
        {s.mode === 'durable' && <> · retention {retention || 'unlimited'}</>} · ack timeout {duration(s.ack_timeout_ms)} · at most {s.max_deliveries}{' '}
        deliveries
      </p>
      <h4>Contract</h4>
      {contract ? (
        <>
          <p>
            <code>{contract.address}</code> in <code>{contract.file}</code>
            {contract.description && <span class="muted"> — {contract.description}</span>}
          </p>
          {contract.messages.map((m) => (
            <details key={m.type}>
              <summary>
                message type <code class="tag">{m.type}</code> {m.summary && <span class="muted">{m.summary}</span>}
              </summary>
              {m.schema ? <JsonView value={m.schema} /> : <p class="muted">no payload schema: any data</p>}
            </details>
          ))}
        </>
      ) : (
        <p class="muted">no contract: any message is accepted</p>
      )}
    </>
  );
}

function duration(ms: number): string {
  for (const [unit, n] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= n && ms % n === 0) return `${ms / n} ${unit}`;
  return `${ms} ms`;
}

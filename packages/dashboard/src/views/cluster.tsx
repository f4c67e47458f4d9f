// Cluster: the nodes this node knows of, its store and its version.
import { TableHead } from './table-head';
import type { LiveState } from '../live';

export function Cluster({ state }: { state: LiveState }) {
  const s = state.status;
  if (!s) return <p class="muted">loading…</p>;
  return (
    <section aria-labelledby="cluster-title">
      <h2 id="cluster-title">Cluster</h2>
      <p class="muted">
        {s.cluster.kind === 'local'
          ? 'One node, on the embedded store.'
          : 'Nodes sharing NATS JetStream. The cluster bus does not list its members yet: this node shows itself; open each node’s dashboard for its own figures.'}
      </p>
      <div class="table-scroll">
        <table>
          <TableHead cols={['node', 'version', 'started', 'uptime', 'store', 'connections', 'channels']} />
          <tbody>
            {s.cluster.nodes.map((n) => (
              <tr key={n}>
                <th scope="row">
                  {n}
                  {n === s.node ? ' (this node)' : ''}
                </th>
                <td>{n === s.node ? s.version : '–'}</td>
                <td>{n === s.node ? new Date(s.started_at).toLocaleString('en') : '–'}</td>
                <td>{n === s.node ? uptime(s.uptime_s) : '–'}</td>
                <td class={s.store.reachable ? 'good' : 'bad'}>
                  {s.store.kind} {s.store.reachable ? 'reachable' : `unreachable: ${s.store.error ?? ''}`}
                </td>
                <td class="num">{n === s.node ? s.connections.total : '–'}</td>
                <td class="num">{n === s.node ? s.channels.filter((c) => !c.ch.startsWith('$')).length : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {s.untracked_rates > 0 && <p class="bad">{s.untracked_rates} events were not counted in the rates (more busy channels than admin.tracked_channels).</p>}
    </section>
  );
}

function uptime(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${Math.floor(s % 60)} s` : `${Math.floor(s)} s`;
}

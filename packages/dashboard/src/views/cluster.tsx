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
          : 'Nodes sharing NATS JetStream (every node that answered on the cluster bus); figures are this node’s: open each node’s dashboard for its own.'}
      </p>
      <div class="table-scroll">
        <table>
          <TableHead cols={['node', 'version', 'started', 'uptime', 'store', 'connections', 'channels']} />
          <tbody>
            {s.cluster.nodes.map(({ node: n, since, self }) => (
              <tr key={n}>
                <th scope="row">
                  {n}
                  {self ? ' (this node)' : ''}
                </th>
                <td>{self ? s.version : '–'}</td>
                <td>{new Date(self ? s.started_at : since).toLocaleString('en')}</td>
                <td>{self ? uptime(s.uptime_s) : '–'}</td>
                <td class={s.store.reachable ? 'good' : 'bad'}>
                  {s.store.kind} {s.store.reachable ? 'reachable' : `unreachable: ${s.store.error ?? ''}`}
                </td>
                <td class="num">{self ? s.connections.total : '–'}</td>
                <td class="num">{self ? s.channels.filter((c) => !c.ch.startsWith('$')).length : '–'}</td>
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

// Components: who is connected now (version, connections), what each publishes and receives, and the connects and
// disconnects announced on $sys.components since this page opened.
import { TableHead } from './table-head';
import { ago, rate, type LiveState } from '../live';

export function Components({ state, selected }: { state: LiveState; selected?: string }) {
  const map = state.map;
  const connected = state.status?.connections.by_component ?? [];
  const names = [...new Set([...connected.map((c) => c.component), ...(map?.components ?? []).map((c) => c.component)])].sort();
  const since = (name: string) => state.components.find((e) => e.component === name && e.type === 'component.connected')?.at;
  return (
    <section aria-labelledby="components-title">
      <h2 id="components-title">Components</h2>
      <p class="muted">
        Connected to node {state.status?.node ?? '…'} now ({state.status?.connections.total ?? 0} connections).
      </p>
      <div class="table-scroll">
        <table>
          <TableHead cols={['component', 'version', 'connections', 'node', 'since', 'publishes', 'receives']} />
          <tbody>
            {names.map((name) => {
              const rows = connected.filter((c) => c.component === name);
              const pubs = (map?.publishes ?? []).filter((p) => p.component === name);
              const subs = (map?.subscribes ?? []).filter((s) => s.component === name);
              const at = since(name);
              return (
                <tr key={name} id={`component-${name}`} class={name === selected ? 'selected' : ''}>
                  <th scope="row">{name}</th>
                  <td>{rows.map((r) => r.version ?? '–').join(', ') || '–'}</td>
                  <td class="num">{rows.reduce((n, r) => n + r.connections, 0)}</td>
                  <td>{state.status?.node}</td>
                  <td>{at ? <time dateTime={at}>{ago(at)}</time> : <span class="muted">before this page</span>}</td>
                  <td>
                    {pubs.map((p) => (
                      <div key={p.ch}>
                        <a href={`#/channels/${encodeURIComponent(p.ch)}`}>{p.ch}</a> {rate(p.per_second)}/s
                        {p.refused > 0 && <span class="bad"> · {p.refused} refused</span>}
                      </div>
                    ))}
                  </td>
                  <td>
                    {subs.map((s) => (
                      <div key={`${s.pattern}${s.group}`}>
                        <code>{s.pattern}</code>
                        {s.group ? ` (group ${s.group})` : ''} {rate(s.channels.reduce((n, c) => n + c.per_second, 0))}/s
                      </div>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3>Connects and disconnects</h3>
      {state.components.length === 0 ? (
        <p class="muted">None since this page opened.</p>
      ) : (
        <ol class="events">
          {state.components.slice(0, 50).map((e) => (
            <li key={e.key}>
              <time dateTime={e.at}>{ago(e.at)}</time> {e.component} {e.version ? `(${e.version})` : ''}{' '}
              {e.type === 'component.connected' ? 'connected' : `disconnected (${e.code ?? '?'})`}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

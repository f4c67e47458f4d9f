// Violations: the refused publishes as the hub announces them on $sys.violations, newest first, each with the
// payload it carried (from its dead letter) and the failing fields highlighted.
import { useState } from 'preact/hooks';
import { JsonView } from '../json-view';
import { ago, type LiveState } from '../live';

export function Violations({ state }: { state: LiveState }) {
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  const shown = state.violations.filter((v) => !f || [v.ch, v.type, v.component, v.code, v.reason].some((x) => x?.toLowerCase().includes(f)));
  return (
    <section aria-labelledby="violations-title">
      <h2 id="violations-title">Violations</h2>
      <p class="muted">
        Refused publishes, live (since this page opened; {state.socket === 'connected' ? 'receiving' : `live events ${state.socket}`}).
        {state.skipped > 0 && ` ${state.skipped} more were refused but not sent by the hub (over admin.violations_per_second).`}
      </p>
      <label>
        Filter{' '}
        <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="channel, component, type, reason" />
      </label>
      {shown.length === 0 ? (
        <p class="empty">No violation {f ? 'matches the filter' : 'since this page opened'}.</p>
      ) : (
        <ol class="violations" aria-live="polite">
          {shown.map((v) => (
            <li key={v.key} class="violation-item">
              <div class="violation-head">
                <strong class="code">{v.code}</strong> <span>{v.component}</span> →{' '}
                {v.ch ? <a href={`#/channels/${encodeURIComponent(v.ch)}`}>{v.ch}</a> : '(no channel)'} <code>{v.type ?? '(no type)'}</code>{' '}
                <time dateTime={v.at}>{ago(v.at)}</time>
              </div>
              <p class="reason">{v.reason}</p>
              {v.entry ? (
                <details open={shown.indexOf(v) < 3}>
                  <summary>
                    payload (dead letter #{v.entry.seq} of $dlq.{v.ch}) · <a href={`#/dlq/${encodeURIComponent(v.ch ?? '')}`}>dead letters</a>
                  </summary>
                  <JsonView value={v.entry.message.data} details={v.details} />
                </details>
              ) : v.code === 'CONTRACT_VIOLATION' ? (
                <p class="muted">payload: looking it up in $dlq.{v.ch}…</p>
              ) : (
                <p class="muted">not kept (only contract violations are dead-lettered)</p>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

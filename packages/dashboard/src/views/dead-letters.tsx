// Dead letters: browse a channel's $dlq log (filter, inspect an entry), replay one, a selection or all through
// the contract in force with each entry's outcome, and purge with a confirmation.
import { TableHead } from './table-head';
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api';
import { JsonView } from '../json-view';
import { ago } from '../live';
import type { DeadLetter, DeadLetterLog, DeadLetterPage, ReplayOutcome } from '../types';

const PAGE = 200;

export function DeadLetters({ selected }: { selected?: string }) {
  const [logs, setLogs] = useState<DeadLetterLog[] | undefined>();
  const [page, setPage] = useState<DeadLetterPage | undefined>();
  const [entries, setEntries] = useState<DeadLetter[]>([]);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [inspect, setInspect] = useState<DeadLetter | undefined>();
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ title: string; results: ReplayOutcome[] } | undefined>();
  const [confirmPurge, setConfirmPurge] = useState<number | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  const loadLogs = () =>
    api<{ logs: DeadLetterLog[] }>('/v1/admin/dlq').then(
      (r) => setLogs(r.logs),
      (err: Error) => setError(err.message),
    );
  const load = async (ch: string, from = 0, append = false) => {
    try {
      const p = await api<DeadLetterPage>(`/v1/admin/dlq/${seg(ch)}?from=${from}&limit=${PAGE}`);
      setPage(p);
      setEntries((old) => (append ? [...old, ...p.entries] : p.entries));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void loadLogs();
    setEntries([]);
    setChosen(new Set());
    setInspect(undefined);
    setOutcome(undefined);
    setConfirmPurge(undefined);
    setMessage(undefined);
    if (selected) void load(selected);
  }, [selected]);

  const f = filter.trim().toLowerCase();
  const shown = entries.filter((e) => !f || [e.type, e.source, e.reason, e.code, e.msg_id ?? ''].some((x) => x.toLowerCase().includes(f)));

  /** Replays `seqs`, or every entry up to the head of now (`'all'`), a page of 1,000 at a time, with progress. */
  const replay = async (which: number[] | 'all', title: string) => {
    if (!selected) return;
    setBusy(title);
    setOutcome(undefined);
    const results: ReplayOutcome[] = [];
    const send = async (seqs: number[]) => {
      const r = await api<{ results: ReplayOutcome[] }>(`/v1/admin/dlq/${seg(selected)}/replay`, { method: 'POST', body: { seqs } });
      results.push(...r.results);
    };
    try {
      if (which === 'all') {
        const head = page?.head ?? 0;
        for (let from = 0; ;) {
          const p = await api<DeadLetterPage>(`/v1/admin/dlq/${seg(selected)}?from=${from}&limit=1000`);
          const seqs = p.entries.map((e) => e.seq).filter((s) => s <= head);
          if (seqs.length === 0) break;
          await send(seqs);
          setBusy(`${title}: ${results.length} of ${p.depth} done`);
          from = p.next;
        }
      } else {
        for (let i = 0; i < which.length; i += 1000) await send(which.slice(i, i + 1000));
      }
      const count = (status: string) => results.filter((r) => r.status === status).length;
      setOutcome({
        title: `${title}: ${count('replayed')} replayed, ${count('already_replayed')} already replayed, ${count('refused')} refused`,
        results,
      });
      setChosen(new Set());
      await load(selected);
    } catch (err) {
      setError((err as Error).message);
      if (results.length) setOutcome({ title: `${title}: stopped after ${results.length}`, results });
    } finally {
      setBusy(undefined);
    }
  };

  const purge = async (upTo: number) => {
    if (!selected) return;
    setBusy('purge');
    try {
      const r = await api<{ purged: number; depth: number }>(`/v1/admin/dlq/${seg(selected)}/purge`, { method: 'POST', body: { up_to_seq: upTo } });
      setMessage(`Purged ${r.purged} dead letters up to seq ${upTo}; ${r.depth} left.`);
      setConfirmPurge(undefined);
      setInspect(undefined);
      await Promise.all([load(selected), loadLogs()]);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  const toggle = (seq: number) => {
    const next = new Set(chosen);
    if (next.has(seq)) next.delete(seq);
    else next.add(seq);
    setChosen(next);
  };

  return (
    <section aria-labelledby="dlq-title">
      <h2 id="dlq-title">Dead letters</h2>
      <nav aria-label="dead-letter logs" class="chips">
        {logs === undefined ? (
          <span class="muted">loading…</span>
        ) : logs.length === 0 ? (
          <span class="empty">No dead-letter log: nothing was refused or exhausted.</span>
        ) : (
          logs.map((l) => (
            <a
              key={l.ch}
              href={`#/dlq/${encodeURIComponent(l.ch)}`}
              class={`chip ${l.ch === selected ? 'active' : ''}`}
              aria-current={l.ch === selected ? 'page' : undefined}
            >
              {l.ch} <span class="count">{l.depth}</span>
            </a>
          ))
        )}
      </nav>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {selected && page && (
        <>
          <p class="muted">
            $dlq.{selected}: {page.depth} retained (seq {page.first}–{page.head}); showing {entries.length}.
          </p>
          <div class="toolbar" role="toolbar" aria-label="dead-letter actions">
            <label>
              Filter <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="type, source, reason" />
            </label>
            <button
              type="button"
              disabled={chosen.size === 0 || !!busy}
              onClick={() =>
                replay(
                  [...chosen].sort((a, b) => a - b),
                  `Replay of ${chosen.size} selected`,
                )
              }
            >
              Replay selected ({chosen.size})
            </button>
            <button type="button" disabled={page.depth === 0 || !!busy} onClick={() => replay('all', 'Replay of all')}>
              Replay all
            </button>
            <button
              type="button"
              class="danger"
              disabled={page.depth === 0 || !!busy}
              onClick={() => setConfirmPurge(chosen.size ? Math.max(...chosen) : page.head)}
            >
              Purge…
            </button>
          </div>
          {busy && (
            <p role="status" class="muted">
              {busy}…
            </p>
          )}
          {message && <p role="status">{message}</p>}
          {confirmPurge !== undefined && (
            <div class="confirm" role="alertdialog" aria-labelledby="purge-q">
              <p id="purge-q">
                Remove every dead letter of {selected} up to seq {confirmPurge} ({entries.filter((e) => e.seq <= confirmPurge).length} shown here)? This cannot
                be undone.
              </p>
              <button type="button" class="danger" onClick={() => purge(confirmPurge)} autoFocus>
                Purge up to seq {confirmPurge}
              </button>
              <button type="button" onClick={() => setConfirmPurge(undefined)}>
                Cancel
              </button>
            </div>
          )}
          {outcome && (
            <div class="outcome" role="status" aria-label="replay outcome">
              <p>
                <strong>{outcome.title}</strong>
              </p>
              <table>
                <TableHead cols={['seq', 'outcome', 'detail']} />
                <tbody>
                  {outcome.results.map((r) => (
                    <tr key={r.seq} data-outcome={r.status}>
                      <td class="num">{r.seq}</td>
                      <td class={r.status === 'replayed' ? 'good' : r.status === 'refused' ? 'bad' : ''}>{r.status}</td>
                      <td>{r.channel_seq !== undefined ? `channel seq ${r.channel_seq}` : (r.message ?? '')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="table-scroll">
            <table class="dlq">
              <thead>
                <tr>
                  <th scope="col">
                    <span class="sr-only">select</span>
                  </th>
                  <th scope="col">seq</th>
                  <th scope="col">when</th>
                  <th scope="col">source</th>
                  <th scope="col">type</th>
                  <th scope="col">reason</th>
                  <th scope="col">replay</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr key={e.seq} class={inspect?.seq === e.seq ? 'selected' : ''} data-seq={e.seq}>
                    <td>
                      <input type="checkbox" checked={chosen.has(e.seq)} onChange={() => toggle(e.seq)} aria-label={`select dead letter ${e.seq}`} />
                    </td>
                    <td class="num">
                      <button type="button" class="link" onClick={() => setInspect(e)} aria-label={`inspect dead letter ${e.seq}`}>
                        {e.seq}
                      </button>
                    </td>
                    <td>
                      <time dateTime={e.ts}>{ago(e.ts)}</time>
                    </td>
                    <td>{e.source}</td>
                    <td>
                      <code>{e.type}</code>
                    </td>
                    <td class="reason">{e.reason}</td>
                    <td>{e.replay ? `${e.replay.state}${e.replay.channel_seq !== undefined ? ` → #${e.replay.channel_seq}` : ''}` : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.next < page.head && (
            <button type="button" onClick={() => load(selected, page.next, true)}>
              Load more
            </button>
          )}
          {inspect && (
            <article class="detail" aria-label={`dead letter ${inspect.seq}`}>
              <h3>
                Dead letter #{inspect.seq}{' '}
                <button type="button" onClick={() => replay([inspect.seq], `Replay of #${inspect.seq}`)} disabled={!!busy}>
                  Replay this one
                </button>{' '}
                <button type="button" onClick={() => setInspect(undefined)}>
                  Close
                </button>
              </h3>
              <p>
                {inspect.code}: {inspect.reason}
              </p>
              <p class="muted">
                id {inspect.id} · msg_id {inspect.msg_id ?? '–'} · from {inspect.source} at {inspect.ts}
              </p>
              <JsonView value={inspect.message.data} details={inspect.details} />
              <details>
                <summary>stored envelope</summary>
                <JsonView value={inspect.message} />
              </details>
            </article>
          )}
        </>
      )}
      {!selected && logs && logs.length > 0 && <p class="muted">Choose a log above.</p>}
    </section>
  );
}

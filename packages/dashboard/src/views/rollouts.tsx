// Rollouts: every canary rollout of a consumer group, and one in detail, live — its steps (done, now, to come),
// the canary's weight, the guardrails against the canary's figures over the window, both sides, its history —
// with promote, pause, resume and abort.
import type { RolloutStatusJson } from '@switchboard/hub';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { TableHead } from './table-head';

/** A rollout as the admin API answers it. */
type Rollout = RolloutStatusJson;

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const LIVE = new Set(['running', 'paused']);

export function Rollouts({ selected }: { selected?: string }) {
  const [rollouts, setRollouts] = useState<Rollout[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const load = () =>
    api<{ rollouts: Rollout[] }>('/v1/admin/rollouts').then(
      (r) => (setRollouts(r.rollouts), setError(undefined)),
      (err: Error) => setError(err.message),
    );
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 1000);
    return () => clearInterval(t);
  }, []);
  const act = async (id: string, verb: string) => {
    setBusy(true);
    try {
      await api(`/v1/admin/rollouts/${id}/${verb}`, { method: 'POST', body: {} });
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!rollouts) return <p class="muted">{error ?? 'loading…'}</p>;
  const one = rollouts.find((r) => r.id === selected);
  return (
    <section aria-labelledby="rollouts-title">
      <h2 id="rollouts-title">Rollouts</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rollouts.length === 0 ? (
        <p class="muted">
          No rollouts. Start one with <code>switchboard rollout start CHANNEL GROUP VERSION</code>.
        </p>
      ) : (
        <div class="table-scroll">
          <table>
            <TableHead cols={['rollout', 'channel', 'group', 'version', 'state', 'step', 'weight', 'canary errors']} />
            <tbody>
              {rollouts.map((r) => (
                <tr key={r.id} aria-current={r.id === selected ? 'true' : undefined}>
                  <th scope="row">
                    <a href={`#/rollouts/${r.id}`}>{r.id}</a>
                  </th>
                  <td>{r.channel}</td>
                  <td>{r.group}</td>
                  <td>{r.version}</td>
                  <td class={r.state === 'rolled_back' || r.state === 'aborted' ? 'bad' : r.state === 'completed' ? 'good' : ''}>
                    {r.state.replace('_', ' ')}
                  </td>
                  <td class="num">
                    {r.step} of {r.steps.length}
                  </td>
                  <td class="num">{r.weight} %</td>
                  <td class="num">{pct(r.canary.error_rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {one && <Detail r={one} busy={busy} act={(verb) => void act(one.id, verb)} />}
    </section>
  );
}

function Detail({ r, busy, act }: { r: Rollout; busy: boolean; act: (verb: string) => void }) {
  const errorBreach = r.canary.delivered >= r.min_samples && r.canary.error_rate > r.max_error_rate;
  return (
    <article aria-labelledby="rollout-title">
      <h3 id="rollout-title">
        {r.channel} / {r.group} → {r.version}: {r.state.replace('_', ' ')}
      </h3>
      <ol class="steps" aria-label="steps">
        {r.steps.map((w, i) => {
          const n = i + 1;
          const state = r.state === 'completed' || n < r.step ? 'done' : n === r.step ? (LIVE.has(r.state) ? 'now' : 'stopped') : 'todo';
          return (
            <li key={n} class={`step ${state}`} aria-current={state === 'now' ? 'step' : undefined}>
              {w} %<span class="muted"> {state === 'done' ? 'done' : state === 'now' ? 'now' : state === 'stopped' ? r.state.replace('_', ' ') : ''}</span>
            </li>
          );
        })}
      </ol>
      <p>
        Canary weight <strong>{r.weight} %</strong>
        {r.next_step_at && r.state === 'running' && <> · next step at {new Date(r.next_step_at).toLocaleTimeString('en')}</>}
        {r.reason && <span class="bad"> · {r.reason}</span>}
      </p>
      <div class="table-scroll">
        <table aria-label="guardrails">
          <TableHead cols={['guardrail', 'canary now', 'limit', 'judged']} />
          <tbody>
            <tr>
              <th scope="row">error rate</th>
              <td class={`num ${errorBreach ? 'bad' : ''}`}>{pct(r.canary.error_rate)}</td>
              <td class="num">{pct(r.max_error_rate)}</td>
              <td>{r.canary.delivered >= r.min_samples ? 'yes' : `after ${r.min_samples} samples (${r.canary.delivered} so far)`}</td>
            </tr>
            <tr>
              <th scope="row">latency p95</th>
              <td class="num">{r.canary.latency_p95_ms === null ? '–' : `${r.canary.latency_p95_ms} ms`}</td>
              <td class="num">{r.max_latency_p95}</td>
              <td>over {r.window}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table aria-label="sides">
          <TableHead cols={['side', 'delivered', 'errors', 'error rate', 'latency p95']} />
          <tbody>
            {(['canary', 'stable'] as const).map((side) => (
              <tr key={side}>
                <th scope="row">{side}</th>
                <td class="num">{r[side].delivered}</td>
                <td class="num">{r[side].errors}</td>
                <td class="num">{pct(r[side].error_rate)}</td>
                <td class="num">{r[side].latency_p95_ms === null ? '–' : `${r[side].latency_p95_ms} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {LIVE.has(r.state) && (
        <p class="actions">
          <button disabled={busy} onClick={() => act('promote')}>
            Promote
          </button>{' '}
          {r.state === 'running' ? (
            <button disabled={busy} onClick={() => act('pause')}>
              Pause
            </button>
          ) : (
            <button disabled={busy} onClick={() => act('resume')}>
              Resume
            </button>
          )}{' '}
          <button disabled={busy} onClick={() => act('abort')}>
            Abort
          </button>
        </p>
      )}
      <h4>History</h4>
      <ul>
        {[...r.history].reverse().map((e, i) => (
          <li key={i}>
            {new Date(e.at).toLocaleTimeString('en')} {e.event.replace('_', ' ')}: step {e.step}, weight {e.weight} %{e.by ? ` (${e.by})` : ''}
            {e.reason ? `: ${e.reason}` : ''}
          </li>
        ))}
      </ul>
    </article>
  );
}

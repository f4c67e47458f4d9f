// The page: a header with the node and the live state, the views' navigation (hash routes, so that any view can
// be linked and reloaded), and the token form when the hub wants an admin token.
import { useEffect, useRef, useState } from 'preact/hooks';
import { setToken } from './api';
import { live, useLive, ago } from './live';
import { Channels } from './views/channels';
import { Cluster } from './views/cluster';
import { Components } from './views/components';
import { DeadLetters } from './views/dead-letters';
import { Documents } from './views/documents';
import { Overview } from './views/overview';
import { Rollouts } from './views/rollouts';
import { Violations } from './views/violations';

const VIEWS = [
  ['overview', 'Overview'],
  ['channels', 'Channels'],
  ['violations', 'Violations'],
  ['dlq', 'Dead letters'],
  ['components', 'Components'],
  ['documents', 'Documents'],
  ['rollouts', 'Rollouts'],
  ['cluster', 'Cluster'],
] as const;

type ViewId = (typeof VIEWS)[number][0];

/** `#/channels/market.ticks` → `['channels', 'market.ticks']`. */
function route(): { view: ViewId; arg?: string } {
  const [, view, ...rest] = location.hash.split('/');
  const known = VIEWS.find(([id]) => id === view)?.[0] ?? 'overview';
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  return { view: known, arg };
}

export function App() {
  const state = useLive();
  const [r, setRoute] = useState(route());
  useEffect(() => {
    const on = () => setRoute(route());
    addEventListener('hashchange', on);
    void live.start();
    return () => removeEventListener('hashchange', on);
  }, []);
  const firstRoute = useRef(true);
  useEffect(() => {
    document.title = `${VIEWS.find(([id]) => id === r.view)?.[1]} · Switchboard`;
    // after a change of view, the keyboard continues from its content (not on the first load: the navigation comes first)
    if (!firstRoute.current) document.getElementById('main')?.focus({ preventScroll: true });
    firstRoute.current = false;
  }, [r.view, r.arg]);

  const violations = state.violations.length;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <h1>
          <span class="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Switchboard
        </h1>
        <p class="node">
          {state.status ? (
            <>
              node <strong>{state.status.node}</strong> · v{state.status.version} · {state.status.connections.total} connections
            </>
          ) : (
            '…'
          )}
        </p>
        <p class={`pill ${state.socket === 'connected' ? 'ok' : 'warn'}`} role="status" aria-label="live state">
          {state.auth !== 'ok' ? 'not signed in' : state.socket === 'connected' ? `live · updated ${ago(state.updatedAt)}` : `live events: ${state.socket}`}
        </p>
      </header>
      {state.auth === 'ok' && (
        <nav class="views" aria-label="views">
          {VIEWS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={r.view === id ? 'page' : undefined}>
              {label}
              {id === 'violations' && violations > 0 && <span class="badge">{violations > 99 ? '99+' : violations}</span>}
            </a>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {state.error && state.auth === 'ok' && (
          <p class="error" role="alert">
            {state.error}
          </p>
        )}
        {state.auth === 'checking' && <p class="muted">Connecting to the hub…</p>}
        {state.auth === 'needs-token' && <TokenForm message={state.authMessage} />}
        {state.auth === 'ok' && <View view={r.view} arg={r.arg} />}
      </main>
    </>
  );
}

function View({ view, arg }: { view: ViewId; arg?: string }) {
  const state = useLive();
  switch (view) {
    case 'overview':
      return <Overview state={state} />;
    case 'channels':
      return <Channels state={state} selected={arg} />;
    case 'violations':
      return <Violations state={state} />;
    case 'dlq':
      return <DeadLetters selected={arg} />;
    case 'components':
      return <Components state={state} selected={arg} />;
    case 'documents':
      return <Documents state={state} selected={arg} />;
    case 'rollouts':
      return <Rollouts selected={arg} />;
    case 'cluster':
      return <Cluster state={state} />;
  }
}

function TokenForm({ message }: { message?: string }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim() || undefined);
        void live.start();
      }}
    >
      <h2>Admin token</h2>
      <p>
        This hub asks for a token with the claim <code>"sb.admin": true</code>. Make one with <code>switchboard token --component ops --admin</code>. It is kept
        for this tab only (sessionStorage) and sent to this hub alone.
      </p>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <label for="token-input">Admin token</label>
      <input id="token-input" type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} required />
      <button type="submit">Open the dashboard</button>
    </form>
  );
}

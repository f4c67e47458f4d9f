// Picks the view from the path (/presenter, else the attendee's), asks an attendee's name once, and opens the
// session with the hub named in /config.json.
import { useEffect, useState } from 'preact/hooks';
import { loadConfig, saveAttendee, savedAttendee, type AppConfig } from './config';
import { LiveSession } from './live-session';
import { PRESENTER_ID, type Me } from './model';
import { AttendeeView } from './views/attendee';
import { PresenterView } from './views/presenter';

const isPresenter = location.pathname.replace(/\/$/, '').endsWith('/presenter');

export function App() {
  const [config, setConfig] = useState<AppConfig>();
  const [me, setMe] = useState<Me | undefined>(isPresenter ? { id: PRESENTER_ID, name: 'Presenter', role: 'presenter' } : savedAttendee());
  const [live, setLive] = useState<LiveSession>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    loadConfig().then(setConfig, (err: Error) => setError(`cannot read /config.json: ${err.message}`));
  }, []);
  useEffect(() => {
    if (!config || !me) return;
    let opened: LiveSession | undefined;
    LiveSession.open({ hubUrl: config.hubUrl, session: config.session, me }).then(
      (l) => {
        opened = l;
        setLive(l);
        Object.assign(window, { liveSession: l });
      },
      (err: Error) => setError(`cannot join the session: ${err.message}`),
    );
    return () => void opened?.close();
  }, [config, me]);

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!me) return <Join onJoin={(name) => setMe(saveAttendee(name))} />;
  if (!live) return <p class="loading">Joining…</p>;
  return live.me.role === 'presenter' ? <PresenterView live={live} /> : <AttendeeView live={live} providerUrl={config?.providerUrl} />;
}

function Join({ onJoin }: { onJoin: (name: string) => void }) {
  const [name, setName] = useState('');
  return (
    <form
      class="join"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) onJoin(name.trim().slice(0, 60));
      }}
    >
      <h1>Join the session</h1>
      <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Your name" aria-label="your name" autoFocus />
      <button>Join</button>
    </form>
  );
}

// Where the page finds the hub and the payment provider: /config.json, written by the app server
// (examples/live-session/app-server.ts); `?session=` picks another session than the server's default.
import { newId, type Me } from './model';

export interface AppConfig {
  /** `ws://host:port/v1/ws` */
  hubUrl: string;
  session: string;
  /** The payment provider's checkout endpoint (the fake provider of the example), if any. */
  providerUrl?: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json');
  const config = (await res.json()) as AppConfig;
  const session = new URLSearchParams(location.search).get('session');
  return session && /^[a-z0-9-]{1,40}$/.test(session) ? { ...config, session } : config;
}

const KEY = 'live-session:me';

/** The attendee this browser was (kept in localStorage, so that a reload is the same person), or undefined. */
export function savedAttendee(): Me | undefined {
  try {
    const me = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Me | null;
    return me && typeof me.id === 'string' && typeof me.name === 'string' ? { ...me, role: 'attendee' } : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the attendee's name under a new id (or the id it had). */
export function saveAttendee(name: string): Me {
  const me: Me = { id: savedAttendee()?.id ?? newId(), name, role: 'attendee' };
  localStorage.setItem(KEY, JSON.stringify(me));
  return me;
}

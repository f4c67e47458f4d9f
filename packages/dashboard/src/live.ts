// The page's one source of live data: the status and the integration map refreshed together every 2 s (paused
// while the tab is hidden), and the hub's $sys.* events pushed over the WebSocket by the client SDK. Views read
// the state through useLive(); nothing polls per widget.
import { useEffect, useState } from 'preact/hooks';
import { connect, type Message, type SwitchboardClient } from '@switchboard/client';
import { api, ApiError, getToken, seg, tokenSubject } from './api';
import type { AlertEvent, ComponentEvent, DeadLetterLog, DeadLetterPage, MapData, Status, Violation } from './types';

const REFRESH_MS = 2000;
const MAX_VIOLATIONS = 200;
const MAX_EVENTS = 200;

export interface LiveState {
  /** `checking` until the first status answered; `needs-token` when the hub wants an admin token. */
  auth: 'checking' | 'needs-token' | 'ok';
  authMessage?: string;
  socket: string;
  status?: Status;
  map?: MapData;
  /** When the status was last read (ms). */
  updatedAt?: number;
  error?: string;
  violations: Violation[];
  skipped: number;
  components: ComponentEvent[];
  alerts: AlertEvent[];
}

type Listener = (s: LiveState) => void;

/** The live state of the page and what keeps it up to date. */
export class Live {
  state: LiveState = { auth: 'checking', socket: 'off', violations: [], skipped: 0, components: [], alerts: [] };
  client: SwitchboardClient | undefined;
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keys = 0;
  /** Per channel: the last dead-letter seq matched to a violation, and whether a lookup is under way. */
  private readonly dlqSeen = new Map<string, number>();
  private readonly dlqLooking = new Set<string>();
  private started = false;

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Reads the status once (asking for a token on 401/403), then keeps refreshing and opens the socket. */
  async start(): Promise<void> {
    clearTimeout(this.timer);
    this.set({ auth: 'checking', authMessage: undefined });
    try {
      await this.refresh();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        this.set({ auth: 'needs-token', authMessage: err.message });
        await this.client?.close();
        this.client = undefined;
        this.set({ socket: 'off' });
        return;
      }
    }
    this.set({ auth: 'ok' });
    if (!this.started) {
      this.started = true;
      document.addEventListener('visibilitychange', () => {
        if (!document.hidden && this.state.auth === 'ok') void this.loop();
      });
    }
    await this.loadDlqHeads();
    void this.openSocket();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), REFRESH_MS);
  }

  private async loop(): Promise<void> {
    if (document.hidden) return;
    try {
      await this.refresh();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return void this.start();
    }
    this.schedule();
  }

  /** Status and map, read together. */
  async refresh(): Promise<void> {
    try {
      const [status, map] = await Promise.all([api<Status>('/v1/admin/status'), api<MapData>('/v1/admin/map')]);
      this.set({ status, map, updatedAt: Date.now(), error: undefined });
    } catch (err) {
      this.set({ error: (err as Error).message });
      throw err;
    }
  }

  private async openSocket(): Promise<void> {
    if (this.client) return;
    const token = getToken();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    try {
      const client = await connect({
        url: `${scheme}://${location.host}/v1/ws`,
        component: tokenSubject(token) ?? 'switchboard-dashboard',
        version: 'dashboard',
        ...(token ? { token: () => getToken() ?? token } : {}),
      });
      this.client = client;
      this.set({ socket: client.state });
      client.on('state', (s) => this.set({ socket: s }));
      await client.subscribe('$sys.>', { onMessage: (m) => this.onEvent(m) });
    } catch (err) {
      this.set({ socket: 'closed', error: `live events unavailable: ${(err as Error).message}` });
    }
  }

  private onEvent(m: Message): void {
    const d = (m.data ?? {}) as Record<string, unknown>;
    const key = ++this.keys;
    if (m.ch === '$sys.violations') {
      if (m.type === 'violations.skipped') return this.set({ skipped: this.state.skipped + Number(d.count ?? 0) });
      const v: Violation = {
        key,
        at: String(d.at ?? m.envelope.ts),
        node: String(d.node ?? ''),
        ch: (d.ch as string | null) ?? null,
        type: (d.type as string | null) ?? null,
        component: String(d.component ?? ''),
        code: String(d.code ?? ''),
        reason: String(d.reason ?? ''),
        details: Array.isArray(d.details) ? (d.details as Violation['details']) : null,
      };
      this.set({ violations: [v, ...this.state.violations].slice(0, MAX_VIOLATIONS) });
      if (v.ch && v.code === 'CONTRACT_VIOLATION') void this.findPayloads(v.ch);
    } else if (m.ch === '$sys.components') {
      const e: ComponentEvent = {
        key,
        type: m.type,
        component: String(d.component ?? ''),
        version: (d.version as string | null) ?? null,
        session: String(d.session ?? ''),
        at: String(d.at ?? ''),
        ...(typeof d.code === 'number' ? { code: d.code } : {}),
      };
      this.set({ components: [e, ...this.state.components].slice(0, MAX_EVENTS) });
    } else if (m.ch === '$sys.alerts') {
      const a = { key, ...(d as object), message: String(d.message ?? ''), at: String(d.at ?? '') } as AlertEvent;
      this.set({ alerts: [a, ...this.state.alerts].slice(0, MAX_EVENTS) });
    }
  }

  /** Where each dead-letter log stands now: violations after this are matched to the entries after it. */
  private async loadDlqHeads(): Promise<void> {
    try {
      const { logs } = await api<{ logs: DeadLetterLog[] }>('/v1/admin/dlq');
      for (const l of logs) if (!this.dlqSeen.has(l.ch)) this.dlqSeen.set(l.ch, l.head);
    } catch {
      /* the payloads are looked up from seq 0 then */
    }
  }

  /**
   * A refused publish was kept in `$dlq.<ch>` before its event was sent: reads the new entries of that log (one
   * lookup per channel at a time) and gives each violation the entry with its component, type and reason.
   */
  private async findPayloads(ch: string): Promise<void> {
    if (this.dlqLooking.has(ch)) return;
    this.dlqLooking.add(ch);
    try {
      for (;;) {
        const from = this.dlqSeen.get(ch) ?? 0;
        const page = await api<DeadLetterPage>(`/v1/admin/dlq/${seg(ch)}?from=${from}&limit=200`);
        if (page.entries.length === 0) break;
        this.dlqSeen.set(ch, page.next);
        const violations = [...this.state.violations];
        for (const entry of page.entries) {
          const i = violations.findLastIndex(
            (v) => !v.entry && v.ch === ch && v.component === entry.source && v.type === entry.type && v.reason === entry.reason,
          );
          if (i >= 0) violations[i] = { ...violations[i]!, entry };
        }
        this.set({ violations });
        if (page.entries.length < 200) break;
      }
    } catch {
      /* shown without payload */
    } finally {
      this.dlqLooking.delete(ch);
    }
  }
}

/** The page's one {@link Live}. */
export const live = new Live();

/** The live state, re-rendering the calling component on each change. */
export function useLive(): LiveState {
  const [state, setState] = useState(live.state);
  useEffect(() => live.subscribe(setState), []);
  return state;
}

/** Seconds since `iso`, as "12 s ago", "3 min ago". */
export function ago(iso: string | number | undefined, now = Date.now()): string {
  if (iso === undefined) return '';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A rate to show: one decimal under 10, whole above. */
export function rate(n: number | undefined): string {
  if (n === undefined) return '–';
  return n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en');
}

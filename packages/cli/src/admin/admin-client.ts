import { hubUrls } from '../hub-url.js';

/** An error of the admin client whose message says what to change; the command prints it and exits 1. */
export class AdminClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminClientError';
  }
}

/** How the `status` and `dlq` commands reach a hub's admin API (`/v1/admin/…`). */
export interface AdminClient {
  /** The hub's HTTP base, e.g. `http://127.0.0.1:7700`. */
  readonly base: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** The default of `--hub`: `SWITCHBOARD_HUB`, else the local hub of `switchboard start`. */
export function defaultHub(): string {
  return process.env.SWITCHBOARD_HUB || 'http://127.0.0.1:7700';
}

/**
 * A client of the admin API of the hub at `hub` (`http://host:port`, or the `ws://host:port/v1/ws` a component
 * uses), with `token` (an admin token) when given. Its calls reject with an {@link AdminClientError} saying what
 * to change: the hub does not answer, needs a token, refuses this one.
 */
export function adminClient(hub: string, token: string | undefined): AdminClient {
  let base: string;
  try {
    base = hubUrls(hub).http;
  } catch (err) {
    throw new AdminClientError((err as Error).message);
  }
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : { 'x-switchboard-component': 'switchboard-cli' };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new AdminClientError(`no hub answers at ${base} (${why}); start one (switchboard start) or fix --hub`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdminClientError(`${method} ${path} at ${base} answered ${res.status} with something other than JSON; is --hub a Switchboard hub?`);
    }
    if (res.ok) return json as T;
    const e = json as { code?: string; message?: string };
    if (res.status === 401) {
      throw new AdminClientError(
        `the hub refused the call (${e.message}); pass an admin token with --token or SWITCHBOARD_TOKEN (switchboard token --component ops --admin)`,
      );
    }
    if (res.status === 404 && e.code === 'NOT_FOUND') {
      throw new AdminClientError(`the hub at ${base} has no ${path.split('?')[0]} (${e.message}); it may be an older version without the admin API`);
    }
    throw new AdminClientError(`${e.code ?? `HTTP ${res.status}`}: ${e.message ?? text}`);
  };
  return { base, get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

/** Lays out rows as columns (the first row is the header), two spaces apart, each line indented by `indent`. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** Cuts `s` to at most `n` characters (with an ellipsis). */
export function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

import { SwitchboardError, type ErrFrame } from '@switchboard/protocol';
import { errorFromFrame } from './errors.js';
import type { Link } from './link.js';

/** The `exp` claim of a JWT (seconds since epoch), read without checking the signature; undefined when absent. */
export function tokenExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link TokenRefresher} needs from the client. */
export interface TokenRefresherOptions {
  link: Link;
  /** Makes a new token (the `getToken` option). */
  getToken: () => string | Promise<string>;
  /** Refresh this long before `exp` at most (and at half the remaining lifetime when that is sooner). */
  aheadMs: number;
  /** A refresh failed (the token function threw, or the hub refused the new token). */
  onError(err: SwitchboardError): void;
}

/**
 * Keeps the token of the current socket fresh: a while before its `exp` it asks `getToken()` for a new one and sends
 * `{"op":"refresh","token":…}`. A failed refresh is reported and tried again sooner (until the hub closes the
 * connection with 4401 at expiry; the reconnect then calls `getToken()` for its `hello`).
 */
export class TokenRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(private readonly options: TokenRefresherOptions) {}

  /** Plans the refresh of `token`, the one the current socket authenticated with. */
  start(token: string | undefined): void {
    this.stop();
    const exp = token === undefined ? undefined : tokenExpiry(token);
    if (exp === undefined) return;
    this.plan(exp);
  }

  /** The socket is gone or the client closes: no refresh until the next `start`. */
  stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private plan(exp: number, retry = false): void {
    const left = exp * 1000 - Date.now();
    if (left <= 0) return;
    const delay = retry ? Math.max(250, Math.min(left / 2, 5_000)) : left - Math.min(this.options.aheadMs, left / 2);
    if (delay >= left) return;
    const generation = this.generation;
    this.timer = setTimeout(() => void this.refresh(exp, generation), Math.max(0, delay));
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async refresh(exp: number, generation: number): Promise<void> {
    let token: string;
    try {
      token = await this.options.getToken();
    } catch (err) {
      if (generation !== this.generation) return;
      this.options.onError(
        new SwitchboardError('UNAUTHENTICATED', `the token function failed: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err }),
      );
      this.plan(exp, true);
      return;
    }
    if (generation !== this.generation || !this.options.link.up) return;
    this.options.link.call(
      { op: 'refresh', token },
      {
        ok: () => {
          if (generation !== this.generation) return;
          const next = tokenExpiry(token);
          if (next !== undefined) this.plan(next);
        },
        err: (frame: ErrFrame) => {
          if (generation !== this.generation) return;
          this.options.onError(errorFromFrame(frame));
          this.plan(exp, true);
        },
        drop: () => {},
      },
    );
  }
}

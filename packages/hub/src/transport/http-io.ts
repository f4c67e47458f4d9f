import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusFor, SwitchboardError } from '@switchboard/protocol';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';

/** The caller of an HTTP request: `Authorization: Bearer <JWT>`, or in dev mode `x-switchboard-component` (default `http`). */
export async function identify(config: HubConfig, auth: Authenticator, req: IncomingMessage): Promise<Identity> {
  const header = req.headers.authorization;
  let token: string | undefined;
  if (header !== undefined) {
    const mm = /^Bearer\s+(.+)$/i.exec(header);
    if (!mm) throw new SwitchboardError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <JWT>"');
    token = mm[1]!.trim();
  }
  const claimed = req.headers['x-switchboard-component'];
  const anonymousDev = config.auth.dev && (token === undefined || (!config.auth.hs256Secret && !config.auth.jwks));
  const component = typeof claimed === 'string' && claimed !== '' ? claimed : anonymousDev ? 'http' : undefined;
  return auth.authenticate(token, component);
}

/**
 * Reads a JSON body of at most `limit` bytes: the parsed value and the text as sent. Rejects with TOO_LARGE (after
 * calling `onTooLarge`) or BAD_FRAME.
 */
export function readJsonBody(req: IncomingMessage, limit: number, onTooLarge?: () => void): Promise<{ value: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      onTooLarge?.();
      reject(
        new SwitchboardError('TOO_LARGE', `body of ${declared} bytes is over the limit of ${limit} bytes; split the message or raise limits.max_frame_bytes`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        onTooLarge?.();
        reject(new SwitchboardError('TOO_LARGE', `body is over the limit of ${limit} bytes; split the message or raise limits.max_frame_bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks);
      if (!isUtf8(body)) {
        reject(new SwitchboardError('BAD_FRAME', 'the body is not valid UTF-8; send JSON text encoded as UTF-8'));
        return;
      }
      const text = body.toString('utf8');
      try {
        resolve({ value: JSON.parse(text), text });
      } catch (err) {
        reject(new SwitchboardError('BAD_FRAME', `the body is not valid JSON (${(err as Error).message})`));
      }
    });
    req.on('error', reject);
  });
}

/** Answers with a JSON body (nothing when the headers were already sent). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** Answers with JSON text as it is (e.g. stored envelopes, sent without parsing them again). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers with a protocol error: its HTTP status and `{code, message, details}` (and `retry-after` when `details.retry_after_ms` says when). */
export function sendError(res: ServerResponse, e: SwitchboardError): void {
  const body: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.details !== undefined) body.details = e.details;
  const retry = (e.details as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
  if (typeof retry === 'number' && !res.headersSent) res.setHeader('retry-after', String(Math.max(1, Math.ceil(retry / 1000))));
  sendJson(res, httpStatusFor(e.code), body);
}

/** A percent-encoded path segment, decoded; throws `code` naming `what` when it is not valid percent-encoding. */
export function decodePathParam(raw: string, what: string, code: 'BAD_FRAME' | 'UNKNOWN_CHANNEL' = 'BAD_FRAME'): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SwitchboardError(code, `the ${what} in the path is not valid percent-encoding`);
  }
}

/** The whole-number query parameter `name` (from `min` to `max`; `dflt` when absent); throws BAD_FRAME saying what is allowed. */
export function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new SwitchboardError('BAD_FRAME', `query parameter "${name}" must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new SwitchboardError('BAD_FRAME', `query parameter "${name}" must be from ${min} to ${max}, not ${raw}`);
  return n;
}

import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { channelNameProblem, httpStatusFor, matchChannel, PAYLOAD_MEMBERS, rawMembers, SwitchboardError } from '@switchboard/protocol';
import { assertMayDoc, assertMayPublish, assertMaySubscribe, type Authenticator, type Identity } from '../auth.js';
import { checkDocName, type Documents } from '../documents.js';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { ReloadResult } from '../contract-reload.js';
import type { Router } from '../router.js';
import { toSwitchboardError, type SubscriberInfo } from '../session.js';
import type { Store } from '../store/store.js';

export interface HttpDeps {
  config: HubConfig;
  router: Router;
  store: Store;
  auth: Authenticator;
  metrics: HubMetrics;
  log: { warn(obj: unknown, msg?: string): void };
  /** Whether the hub is shutting down (readyz answers 503). */
  closing: () => boolean;
  /** Every live subscription of every connection. */
  subscribers: () => SubscriberInfo[];
  /** Reloads the contracts (see `Hub.reloadContracts`). */
  reloadContracts: (trigger: string) => Promise<ReloadResult>;
  /** Shared state documents, for `GET /v1/docs/{doc}`. */
  documents: Documents;
}

const MAX_HISTORY_LIMIT = 1000;
const DEFAULT_HISTORY_LIMIT = 100;

/**
 * The HTTP twins of the socket ops: publish and history under `/v1/channels/{ch}/messages`, plus `/healthz`,
 * `/readyz` and `/metrics`. A publish here calls the same {@link Router.publish} as the socket.
 */
export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, req, res).catch((err) => {
      const e = toSwitchboardError(err, deps.log);
      sendError(res, e);
    });
  };
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    if (deps.closing()) return sendJson(res, 503, { status: 'not ready', code: 'UNAVAILABLE', message: 'the hub is shutting down' });
    try {
      await deps.store.ping();
      return sendJson(res, 200, { status: 'ready', store: deps.store.kind });
    } catch (err) {
      return sendJson(res, 503, { status: 'not ready', code: 'UNAVAILABLE', message: `store ${deps.store.kind} is not reachable: ${(err as Error).message}` });
    }
  }
  if (path === '/metrics' && method === 'GET') {
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (path === '/v1/contracts/reload') {
    if (method === 'POST') return reload(deps, req, res);
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { code: 'BAD_FRAME', message: `${method} is not supported on ${path}; use POST to reload the contracts` });
  }
  if (path === '/v1/channels') {
    if (method === 'GET') return listChannels(deps, req, res);
    res.setHeader('allow', 'GET');
    return sendJson(res, 405, { code: 'BAD_FRAME', message: `${method} is not supported on ${path}; use GET to list the channels` });
  }
  const m = /^\/v1\/channels\/([^/]+)\/messages$/.exec(path);
  if (m) {
    let ch: string;
    try {
      ch = decodeURIComponent(m[1]!);
    } catch {
      throw new SwitchboardError('UNKNOWN_CHANNEL', 'the channel name in the path is not valid percent-encoding');
    }
    if (method === 'POST') return publish(deps, req, res, ch);
    if (method === 'GET') return history(deps, req, res, ch, url.searchParams);
    res.setHeader('allow', 'GET, POST');
    return sendJson(res, 405, { code: 'BAD_FRAME', message: `${method} is not supported on ${path}; use POST to publish or GET to read` });
  }
  const d = /^\/v1\/docs\/(.+)$/.exec(path);
  if (d) {
    if (method === 'GET') return getDoc(deps, req, res, d[1]!);
    res.setHeader('allow', 'GET');
    return sendJson(res, 405, { code: 'BAD_FRAME', message: `${method} is not supported on ${path}; use GET to read a document (update it with doc.update on the socket)` });
  }
  if (path === '/v1/ws') return sendJson(res, 426, { code: 'BAD_FRAME', message: 'this is the WebSocket endpoint; connect with a WebSocket client (subprotocol switchboard.v1)' });
  sendJson(res, 404, { code: 'NOT_FOUND', message: `no route ${method} ${path}; see docs/reference/http.md for the HTTP API` });
}

async function identify(deps: HttpDeps, req: IncomingMessage): Promise<Identity> {
  const header = req.headers.authorization;
  let token: string | undefined;
  if (header !== undefined) {
    const mm = /^Bearer\s+(.+)$/i.exec(header);
    if (!mm) throw new SwitchboardError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <JWT>"');
    token = mm[1]!.trim();
  }
  const claimed = req.headers['x-switchboard-component'];
  const anonymousDev = deps.config.auth.dev && (token === undefined || !deps.config.auth.hs256Secret);
  const component = typeof claimed === 'string' && claimed !== '' ? claimed : anonymousDev ? 'http' : undefined;
  return deps.auth.authenticate(token, component);
}

async function publish(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, ch: string): Promise<void> {
  const started = process.hrtime.bigint();
  const identity = await identify(deps, req);
  const { body, text } = await readJson(req, deps.config.limits.maxFrameBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SwitchboardError('BAD_FRAME', 'the body must be a JSON object: {"type":"…","data":…,"msg_id":"…"}');
  }
  const b = body as Record<string, unknown>;
  assertMayPublish(identity, ch);
  const raw = rawMembers(text, PAYLOAD_MEMBERS);
  const result = await deps.router.publish({ ch, type: b.type, data: b.data, msgId: b.msg_id, meta: b.meta, dataText: raw?.data, metaText: raw?.meta, source: identity.component });
  deps.metrics.publishSeconds.observe({ transport: 'http' }, Number(process.hrtime.bigint() - started) / 1e9);
  if (result.duplicate) return sendJson(res, 200, { seq: result.seq, duplicate: true });
  sendJson(res, 201, { seq: result.seq });
}

async function history(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, ch: string, q: URLSearchParams): Promise<void> {
  const identity = await identify(deps, req);
  const problem = channelNameProblem(ch, 256, true);
  if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `cannot read "${ch}": ${problem}`);
  assertMaySubscribe(identity, ch);
  const from = intParam(q, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(q, 'limit', DEFAULT_HISTORY_LIMIT, 1, MAX_HISTORY_LIMIT);
  const messages = await deps.store.read(ch, from, limit);
  const next = messages.length ? messages[messages.length - 1]!.seq : from;
  const text = '{"messages":[' + messages.map((m) => m.json).join(',') + '],"next":' + next + '}';
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(text);
}

/**
 * `GET /v1/channels`: every channel with a stored log that the caller may read, with its head and the live
 * subscriptions that cover it (one entry per component, pattern, group and ack mode, with a connection count).
 */
async function listChannels(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const identity = await identify(deps, req);
  const names = (await deps.store.channels()).filter((ch) => !identity.sub || identity.sub.some((p) => matchChannel(p, ch)));
  const subs = deps.subscribers();
  const channels = [];
  for (const ch of names) {
    const info = await deps.store.info(ch);
    const byKey = new Map<string, { component: string; pattern: string; group?: string; ack: string; connections: number }>();
    for (const s of subs) {
      if (s.pattern !== ch && !matchChannel(s.pattern, ch)) continue;
      const key = `${s.component}\u0000${s.pattern}\u0000${s.group ?? ''}\u0000${s.ack}`;
      const hit = byKey.get(key);
      if (hit) hit.connections++;
      else byKey.set(key, { component: s.component, pattern: s.pattern, ...(s.group !== undefined ? { group: s.group } : {}), ack: s.ack, connections: 1 });
    }
    channels.push({ ch, head: info.last, first: info.first, count: info.count, subscribers: [...byKey.values()] });
  }
  sendJson(res, 200, { channels });
}

/** `POST /v1/contracts/reload`: in dev mode anyone, otherwise a token with `"sb.admin": true`. */
async function reload(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const identity = await identify(deps, req);
  if (!deps.config.auth.dev && identity.admin !== true) {
    throw new SwitchboardError('FORBIDDEN', `component "${identity.component}" may not reload the contracts; use a token with the claim "sb.admin": true (switchboard token --admin)`);
  }
  req.resume();
  const result = await deps.reloadContracts(`HTTP by ${identity.component}`);
  sendJson(res, 200, { reloaded: true, ...result });
}

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new SwitchboardError('BAD_FRAME', `query parameter "${name}" must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new SwitchboardError('BAD_FRAME', `query parameter "${name}" must be from ${min} to ${max}, not ${raw}`);
  return n;
}

/** Reads a JSON body: its value, and its text (from which the payload's own text is taken). */
function readJson(req: IncomingMessage, limit: number): Promise<{ body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      reject(new SwitchboardError('TOO_LARGE', `body of ${declared} bytes is over the limit of ${limit} bytes; split the message or raise limits.max_frame_bytes`));
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
      try {
        const text = body.toString('utf8');
        resolve({ body: JSON.parse(text), text });
      } catch (err) {
        reject(new SwitchboardError('BAD_FRAME', `the body is not valid JSON (${(err as Error).message})`));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, e: SwitchboardError): void {
  const body: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.details !== undefined) body.details = e.details;
  sendJson(res, httpStatusFor(e.code), body);
}

/** `GET /v1/docs/{doc}`: the document's `{version, value}` (version 0 and value null when never written). */
async function getDoc(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new SwitchboardError('BAD_FRAME', 'the document name in the path is not valid percent-encoding');
  }
  const doc = checkDocName(name);
  const identity = await identify(deps, req);
  assertMayDoc(identity, doc, 'r');
  sendJson(res, 200, await deps.documents.snapshot(doc));
}

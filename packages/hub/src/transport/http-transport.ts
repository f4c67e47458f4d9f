import type { IncomingMessage, ServerResponse } from 'node:http';
import { channelNameProblem, matchChannel, PAYLOAD_MEMBERS, rawMembers, SwitchboardError } from '@switchboard/protocol';
import { assertAdmin, assertMayPublish, assertMaySubscribe, type Authenticator } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';
import type { ReloadResult } from '../contracts/contract-reload.js';
import { toSwitchboardError } from '../errors.js';
import type { HttpContext, HttpRoute, PublishAttempt } from '../features/feature.js';
import type { HubEvents } from '../features/hub-events.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Router } from '../publish/router.js';
import type { SubscriberInfo } from '../delivery/subscriber-info.js';
import type { Store } from '../store/store.js';
import { decodePathParam, identify, intParam, readJsonBody, sendError, sendJson, sendJsonText } from './http-io.js';
import type { RefusalLog } from '../logging/refusal-log.js';

/** The channel of a `/v1/channels/{ch}/…` request, for the refusal log; undefined for other paths. */
function channelOfPath(url: string | undefined): string | undefined {
  const m = /^\/v1\/channels\/([^/?]+)/.exec(url ?? '');
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

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
  reloadContracts: (trigger: string, by?: string) => Promise<ReloadResult>;
  /** The routes the features registered, tried after the core's. */
  routes: readonly HttpRoute[];
  /** Where every refused request is counted for the log. */
  refusals?: RefusalLog;
  /** The features' checks of every request and of every publish (see `FeatureHost.guardHttp`, `guardPublish`). */
  httpGuards?: readonly ((req: IncomingMessage, res: ServerResponse) => void)[];
  publishGuards?: readonly ((attempt: PublishAttempt) => void)[];
  /** Where every error answered is told to the features that watch them. */
  events?: HubEvents;
}

/** The caller of one request, once a route identified it (for the error event). */
interface Caller {
  component?: string;
}

/** The caller's address and port, as the socket transport writes it. */
function remoteOf(req: IncomingMessage): string | undefined {
  const addr = req.socket.remoteAddress;
  return addr === undefined ? undefined : `${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.remotePort}`;
}

const MAX_HISTORY_LIMIT = 1000;
const DEFAULT_HISTORY_LIMIT = 100;

/** Paths the hub answers when it shares an HTTP server with other handlers; any other path is left to them. */
export function isHubPath(path: string): boolean {
  return path.startsWith('/v1/') || path.startsWith('/ofrep/') || path === '/healthz' || path === '/readyz' || path === '/metrics';
}

/**
 * The HTTP twins of the socket ops — publish and history under `/v1/channels/{ch}/messages`, `/v1/channels`,
 * contract reload — plus `/healthz`, `/readyz`, `/metrics`, and the routes of the features. A publish here calls
 * the same {@link Router.publish} as the socket.
 */
export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = [...coreRoutes(deps), ...deps.routes];
  return (req, res) => {
    const caller: Caller = {};
    void handle(deps, routes, req, res, caller).catch((err) => {
      const e = toSwitchboardError(err, deps.log);
      const ch = channelOfPath(req.url);
      deps.refusals?.note({ code: e.code, message: e.message, ch, transport: 'http' });
      if (deps.events && deps.events.clientErrors.length > 0) {
        const path = new URL(req.url ?? '/', 'http://hub').pathname;
        deps.events.emitClientError({
          transport: 'http',
          op: `${req.method ?? 'GET'} ${path}`,
          code: e.code,
          message: e.message,
          ...(caller.component !== undefined ? { component: caller.component } : {}),
          ...(req.socket.remoteAddress !== undefined ? { remote: remoteOf(req) } : {}),
          ...(ch !== undefined ? { ch } : {}),
        });
      }
      sendError(res, e);
    });
  };
}

async function handle(deps: HttpDeps, routes: readonly HttpRoute[], req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (deps.httpGuards) for (const guard of deps.httpGuards) guard(req, res);
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.methods && !route.methods.includes(method)) {
      res.setHeader('allow', route.methods.join(', '));
      return sendJson(res, 405, { code: 'BAD_FRAME', message: `${method} is not supported on ${path}; ${route.hint}` });
    }
    const ctx: HttpContext = {
      req,
      res,
      url,
      params,
      identify: async () => {
        const identity = await identify(deps.config, deps.auth, req);
        caller.component = identity.component;
        return identity;
      },
      body: () => readJsonBody(req, deps.config.limits.maxFrameBytes, () => deps.metrics.limitRefused('http_body_bytes')),
      json: (status, body) => sendJson(res, status, body),
    };
    return route.handle(ctx);
  }
  if (path === '/v1/ws')
    return sendJson(res, 426, { code: 'BAD_FRAME', message: 'this is the WebSocket endpoint; connect with a WebSocket client (subprotocol switchboard.v1)' });
  sendJson(res, 404, { code: 'NOT_FOUND', message: `no route ${method} ${path}; see docs/reference/http.md for the HTTP API` });
}

function matchPath(pattern: string | RegExp, path: string): string[] | undefined {
  if (typeof pattern === 'string') return pattern === path ? [] : undefined;
  const m = pattern.exec(path);
  return m ? m.slice(1) : undefined;
}

function coreRoutes(deps: HttpDeps): HttpRoute[] {
  return [
    { path: '/healthz', hint: 'use GET', handle: async (ctx) => ctx.json(200, { status: 'ok' }) },
    { path: '/readyz', hint: 'use GET', handle: (ctx) => readyz(deps, ctx) },
    {
      path: '/metrics',
      methods: ['GET'],
      hint: 'use GET to scrape the metrics',
      async handle(ctx) {
        // streamed in pieces: a scrape of many series never holds the event loop long, nor builds one huge string
        ctx.res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        try {
          await deps.metrics.stream((text) => ctx.res.write(text));
        } catch (err) {
          deps.log.warn({ err }, 'a /metrics scrape failed half-way');
          ctx.res.destroy();
          return;
        }
        ctx.res.end();
      },
    },
    { path: '/v1/contracts/reload', methods: ['POST'], hint: 'use POST to reload the contracts', handle: (ctx) => reload(deps, ctx) },
    { path: '/v1/channels', methods: ['GET'], hint: 'use GET to list the channels', handle: (ctx) => listChannels(deps, ctx) },
    {
      path: /^\/v1\/channels\/([^/]+)\/messages$/,
      methods: ['GET', 'POST'],
      hint: 'use POST to publish or GET to read',
      async handle(ctx) {
        const ch = decodePathParam(ctx.params[0]!, 'channel name', 'UNKNOWN_CHANNEL');
        return ctx.req.method === 'POST' ? publish(deps, ctx, ch) : history(deps, ctx, ch);
      },
    },
  ];
}

async function readyz(deps: HttpDeps, ctx: HttpContext): Promise<void> {
  if (deps.closing()) return ctx.json(503, { status: 'not ready', code: 'UNAVAILABLE', message: 'the hub is shutting down' });
  try {
    await deps.store.ping();
    ctx.json(200, { status: 'ready', store: deps.store.kind });
  } catch (err) {
    ctx.json(503, { status: 'not ready', code: 'UNAVAILABLE', message: `store ${deps.store.kind} is not reachable: ${(err as Error).message}` });
  }
}

async function publish(deps: HttpDeps, ctx: HttpContext, ch: string): Promise<void> {
  const started = process.hrtime.bigint();
  const identity = await ctx.identify();
  const { value: body, text } = await ctx.body();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SwitchboardError('BAD_FRAME', 'the body must be a JSON object: {"type":"…","data":…,"msg_id":"…"}');
  }
  const b = body as Record<string, unknown>;
  assertMayPublish(identity, ch);
  if (deps.publishGuards?.length) {
    const attempt: PublishAttempt = { component: identity.component, ch, transport: 'http', remote: remoteOf(ctx.req) };
    for (const guard of deps.publishGuards) guard(attempt);
  }
  const raw = rawMembers(text, PAYLOAD_MEMBERS);
  const result = await deps.router.publish({
    ch,
    type: b.type,
    data: b.data,
    msgId: b.msg_id,
    meta: b.meta,
    dataText: raw?.data,
    metaText: raw?.meta,
    source: identity.component,
  });
  deps.metrics.publishSeconds.observe({ transport: 'http' }, Number(process.hrtime.bigint() - started) / 1e9);
  if (result.duplicate) return ctx.json(200, { seq: result.seq, duplicate: true });
  ctx.json(201, { seq: result.seq });
}

async function history(deps: HttpDeps, ctx: HttpContext, ch: string): Promise<void> {
  const identity = await ctx.identify();
  const problem = channelNameProblem(ch, 256, true);
  if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `cannot read "${ch}": ${problem}`);
  assertMaySubscribe(identity, ch);
  const from = intParam(ctx.url.searchParams, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(ctx.url.searchParams, 'limit', DEFAULT_HISTORY_LIMIT, 1, MAX_HISTORY_LIMIT);
  const messages = await deps.store.read(ch, from, limit);
  const next = messages.length ? messages[messages.length - 1]!.seq : from;
  sendJsonText(ctx.res, 200, '{"messages":[' + messages.map((m) => m.json).join(',') + '],"next":' + next + '}');
}

/**
 * `GET /v1/channels`: every channel with a stored log that the caller may read, with its head and the live
 * subscriptions that cover it (one entry per component, pattern, group and ack mode, with a connection count).
 */
async function listChannels(deps: HttpDeps, ctx: HttpContext): Promise<void> {
  const identity = await ctx.identify();
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
  ctx.json(200, { channels });
}

/** `POST /v1/contracts/reload`: in dev mode anyone, otherwise a token with `"sb.admin": true`. */
async function reload(deps: HttpDeps, ctx: HttpContext): Promise<void> {
  const identity = await ctx.identify();
  assertAdmin(deps.config, identity, 'reload the contracts');
  ctx.req.resume();
  const result = await deps.reloadContracts(`HTTP by ${identity.component}`, identity.component);
  ctx.json(200, { reloaded: true, ...result });
}

import type { HubFeature } from '../features/feature.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

/** Options of {@link dashboardFeature}. */
export interface DashboardFeatureOptions {
  /** The directory of the built page (`packages/dashboard/dist`): `index.html` and its `assets/`. */
  dir: string;
}

/** What the page may load and reach: its own files, and the hub it came from (HTTP and WebSocket). */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The dashboard: serves the files of a built web page (`dir`) at `/` and below (every path outside `/v1/` that the
 * core does not answer), read into memory when the hub starts. `index.html` is revalidated on each load
 * (`no-cache` with an ETag); files under `assets/` carry a content hash in their name and are cached for a year.
 * The page itself holds no secret: it calls the admin API with the token its user gives it. The hub does not know
 * the dashboard package; `switchboard start` passes the directory (and leaves the feature out with `--no-dashboard`).
 */
export function dashboardFeature(options: DashboardFeatureOptions): HubFeature {
  return {
    name: 'dashboard',
    register(host) {
      let files = new Map<string, StaticFile>();
      host.onStart(async () => {
        files = await loadStaticFiles(options.dir);
        if (!files.has('/index.html'))
          host.log.warn({ dir: options.dir }, `dashboard: no index.html in ${options.dir}; build it with npm run build (the page at / answers 404 until then)`);
      });
      host.route({
        path: /^\/(?!v1(?:\/|$))(.*)$/,
        hint: 'the dashboard is read with GET',
        async handle(ctx) {
          const path = ctx.url.pathname === '/' ? '/index.html' : ctx.url.pathname;
          const file = files.get(path);
          const { res, req } = ctx;
          if (!file) {
            const why =
              path === '/index.html' && !files.has(path)
                ? `the dashboard is not built (no index.html in ${options.dir}): run npm run build`
                : `no route ${req.method} ${ctx.url.pathname}; see docs/reference/http.md for the HTTP API`;
            return ctx.json(404, { code: 'NOT_FOUND', message: why });
          }
          if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.setHeader('allow', 'GET, HEAD');
            return ctx.json(405, { code: 'BAD_FRAME', message: `${req.method} is not supported on ${ctx.url.pathname}; the dashboard is read with GET` });
          }
          res.setHeader('etag', file.etag);
          res.setHeader('cache-control', file.cacheControl);
          res.setHeader('vary', 'accept-encoding');
          if (file.contentType.startsWith('text/html')) for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
          else res.setHeader('x-content-type-options', 'nosniff');
          if (req.headers['if-none-match'] === file.etag) return void res.writeHead(304).end();
          const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
          const body = gzip ? file.gzip! : file.body;
          res.writeHead(200, { 'content-type': file.contentType, 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
      });
    },
  };
}

import { assertAdmin, assertMayDoc } from '../auth/authenticator.js';
import type { HubConfig } from '../config/config.js';
import type { HttpRoute } from '../features/feature.js';
import { decodePathParam } from '../transport/http-io.js';
import { checkDocName, type Documents } from './documents.js';

/** `GET /v1/docs/{doc}`: the document's `{version, value}` (version 0 and value null when never written). */
export function documentRoute(documents: Documents): HttpRoute {
  return {
    path: /^\/v1\/docs\/(.+)$/,
    methods: ['GET'],
    hint: 'use GET to read a document (update it with doc.update on the socket)',
    async handle(ctx) {
      const doc = checkDocName(decodePathParam(ctx.params[0]!, 'document name'));
      const identity = await ctx.identify();
      assertMayDoc(identity, doc, 'r');
      ctx.json(200, await documents.snapshot(doc));
    },
  };
}

/** Documents whose version `GET /v1/admin/docs` reads from the store, at most. */
const MAX_VERSIONS = 200;
/** Documents `GET /v1/admin/docs` lists, at most. */
const MAX_LISTED = 1000;
/** Documents the status counts, at most (`capped` beyond). */
const MAX_COUNTED = 10_000;

/**
 * `GET /v1/admin/docs` (admins): the documents this node knows of (most recently used first, with their subscribers
 * here), then the others of the store, with their version.
 */
export function documentListRoute(config: HubConfig, documents: Documents): HttpRoute {
  return {
    path: '/v1/admin/docs',
    methods: ['GET'],
    hint: 'use GET to list the documents',
    async handle(ctx) {
      assertAdmin(config, await ctx.identify(), 'list the documents');
      const known = documents.known();
      const names = new Set(known.map((d) => d.doc));
      const stored = await documents.stored(MAX_LISTED + 1);
      const all = [...known, ...stored.filter((doc) => !names.has(doc)).map((doc) => ({ doc, subscribers: 0 }))];
      const listed = all.slice(0, MAX_LISTED);
      const docs = await Promise.all(listed.map(async (d, i) => (i < MAX_VERSIONS ? { ...d, version: (await documents.snapshot(d.doc)).version } : d)));
      ctx.json(200, { node: config.nodeId, docs, ...(all.length > MAX_LISTED ? { truncated: MAX_LISTED } : {}) });
    },
  };
}

/** The `documents` section of the admin status: how many documents the store holds (`capped` when at least that many). */
export async function documentsStatus(documents: Documents): Promise<{ count: number; capped?: true }> {
  const stored = await documents.stored(MAX_COUNTED);
  return { count: stored.length, ...(stored.length >= MAX_COUNTED ? { capped: true as const } : {}) };
}

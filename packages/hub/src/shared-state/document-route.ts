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
const MAX_LISTED = 200;

/** `GET /v1/admin/docs` (admins): the documents this node knows of, with their version and subscribers here. */
export function documentListRoute(config: HubConfig, documents: Documents): HttpRoute {
  return {
    path: '/v1/admin/docs',
    methods: ['GET'],
    hint: 'use GET to list the documents this node knows of',
    async handle(ctx) {
      assertAdmin(config, await ctx.identify(), 'list the documents');
      const known = documents.known();
      const docs = await Promise.all(known.slice(0, MAX_LISTED).map(async (d) => ({ ...d, version: (await documents.snapshot(d.doc)).version })));
      ctx.json(200, { node: config.nodeId, docs, ...(known.length > MAX_LISTED ? { truncated: known.length } : {}) });
    },
  };
}

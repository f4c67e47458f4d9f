import { assertMayDoc } from '../auth/authenticator.js';
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

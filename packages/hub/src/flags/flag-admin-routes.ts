import { SwitchboardError } from '@switchboard/protocol';
import { FLAG_KEY_PATTERN } from '@switchboard/flags';
import { requireAdmin } from '../admin/admin-auth.js';
import type { FeatureHost, HttpRoute } from '../features/feature.js';
import { decodePathParam } from '../transport/http-io.js';
import type { FlagDocuments } from './flag-documents.js';

/** `GET /v1/admin/flags` (every flag, briefly) and `GET /v1/admin/flags/{key}/history` (its recent changes, who made each). */
export function flagAdminRoutes(host: FeatureHost, flags: FlagDocuments): HttpRoute[] {
  return [
    {
      path: '/v1/admin/flags',
      methods: ['GET'],
      hint: 'use GET to list the flags',
      async handle(ctx) {
        await requireAdmin(host.config, ctx, 'list the flags');
        const all = await flags.all();
        ctx.json(200, {
          flags: [...all].map(([key, { flag, version }]) => ({
            key,
            version,
            state: flag.state,
            variants: Object.keys(flag.variants),
            default_variant: flag.defaultVariant ?? null,
            targeting: flag.targeting !== undefined && flag.targeting !== null && Object.keys(flag.targeting as object).length > 0,
          })),
        });
      },
    },
    {
      path: /^\/v1\/admin\/flags\/([^/]+)\/history$/,
      methods: ['GET'],
      hint: 'use GET to read the changes of a flag',
      async handle(ctx) {
        await requireAdmin(host.config, ctx, 'read the changes of a flag');
        const key = decodePathParam(ctx.params[0]!, 'flag key');
        if (!FLAG_KEY_PATTERN.test(key)) throw new SwitchboardError('NOT_FOUND', `"${key}" is not a flag key`);
        const r = await flags.record(key);
        if (r.version === 0) throw new SwitchboardError('NOT_FOUND', `flag "${key}" was never written; switchboard flags list shows the flags`);
        ctx.json(200, {
          key,
          version: r.version,
          value: r.value,
          changes: [...r.recent].reverse().map((p) => ({ version: p.version, by: p.by, ops: p.ops, ...(p.ref !== undefined ? { ref: p.ref } : {}) })),
        });
      },
    },
  ];
}

import type { HubFeature } from '../features/feature.js';
import { flagAdminRoutes } from './flag-admin-routes.js';
import { checkFlagDocument, FLAG_DOC_PREFIX, FlagDocuments } from './flag-documents.js';
import { OfrepEvents } from './ofrep-events.js';
import { ofrepRoutes } from './ofrep-routes.js';

/** What the flags feature takes from the world. */
export interface FlagsOptions {
  /** Clock in epoch ms (`$flagd.timestamp`). */
  now?: () => number;
}

/**
 * Feature flags (docs/guides/flags.md): each flag is the shared document `flags/<key>` holding a flagd flag
 * definition, checked on every update; the hub evaluates them for OFREP clients (`/ofrep/v1/evaluate/flags…`) and
 * lists them and their changes for admins (`/v1/admin/flags…`). SDKs subscribe to the documents and evaluate locally.
 */
export function flagsFeature(options: FlagsOptions = {}): HubFeature {
  return {
    name: 'flags',
    register(host) {
      const now = options.now ?? Date.now;
      const flags = new FlagDocuments(host.store);
      const events = new OfrepEvents(now, () => host.metrics.limitRefused('ofrep_event_streams'));
      host.checkDocuments(FLAG_DOC_PREFIX, checkFlagDocument);
      host.onDocumentChange(FLAG_DOC_PREFIX, (doc, _version, local) => {
        events.changed();
        for (const p of local ?? [])
          host.audit({
            action: 'flag.change',
            outcome: 'ok',
            component: p.by,
            target: doc,
            details: { version: p.version, ops: p.ops.map((o) => `${o.op} ${o.path || '/'}`) },
          });
      });
      for (const r of [...ofrepRoutes(flags, now), events.route(), ...flagAdminRoutes(host, flags)]) host.route(r);
      host.onClose(() => events.close());
    },
  };
}

import type { ContractSet, ValueChange } from '@switchboard/contracts';
import type { HubFeature } from '../features/feature.js';
import { DOC_ANNOUNCE_PREFIX, Documents, type DocValidator } from './documents.js';
import { documentListRoute, documentRoute, documentsStatus } from './document-route.js';
import { PresenceTable, type PresenceEvent } from './presence.js';
import { PatchFrames, SHARED_STATE_OPS, SharedStateOps, type SharedStateDeps } from './shared-state-ops.js';
import { ParkedSharedState } from './shared-state-resume.js';

/** Prefix of the contract channel address that declares a document's contract: `doc:<document name>`. */
export const DOC_CONTRACT_PREFIX = 'doc:';
/** Channel name of the presence announcements carried by the cluster bus. */
const PRESENCE_ANNOUNCE = '$presence:';

/** How many documents a validator remembers as checked whole (the rest are checked whole again). */
const CHECKED_DOCS = 10_000;

/**
 * The contract of document `D` is the AsyncAPI channel whose address matches `doc:D` (e.g. `doc:qa/{session}`):
 * the payload of its first message is the JSON Schema of the whole document value. An update made only of `inc`s
 * is checked where it changed the document (`ContractSet.validateChange`) once this node has stored a value of that
 * document that passed its checks under the same contracts (`stored`); otherwise the whole value is checked.
 */
export function documentValidator(contracts: () => ContractSet): DocValidator & { stored(doc: string): void } {
  let checkedUnder: ContractSet | undefined;
  /** Documents whose stored value this node wrote after it passed the checks of `checkedUnder`. */
  const checked = new Set<string>();
  const current = (): ContractSet => {
    const set = contracts();
    if (set !== checkedUnder) {
      checkedUnder = set;
      checked.clear();
    }
    return set;
  };
  const validate = (doc: string, value: unknown, changes?: readonly ValueChange[]) => {
    const set = current();
    const ch = DOC_CONTRACT_PREFIX + doc;
    const contract = set.channel(ch);
    const type = contract?.messageTypes[0];
    if (type === undefined) return undefined;
    const v = changes && checked.has(doc) ? set.validateChange(ch, type, value, changes) : set.validate(ch, type, value);
    return v && { message: v.message, details: v.details };
  };
  return Object.assign(validate, {
    stored(doc: string): void {
      if (contracts() !== checkedUnder) return; // checked under contracts since replaced: the next update is checked whole
      if (checked.size >= CHECKED_DOCS) checked.clear();
      checked.add(doc);
    },
  });
}

/** The features' checks of a document first, then its contract. */
function checkedBy(features: DocValidator, contract: DocValidator): DocValidator {
  return (doc, value, changes) => features(doc, value) ?? contract(doc, value, changes);
}

/**
 * Shared state documents (`doc.sub`, `doc.unsub`, `doc.update`, `GET /v1/docs/{doc}`) and presence (`presence`,
 * `join`/`leave` of `sub` with `"presence":true`), with what a parked session keeps of them for `resume`.
 */
export function sharedStateFeature(): HubFeature {
  return {
    name: 'shared-state',
    register(host) {
      const { limits } = host.config;
      const { cluster } = host;
      const contractCheck = documentValidator(() => host.contracts());
      const documents = new Documents({
        store: host.store,
        limits: { maxDocBytes: limits.maxDocBytes, maxDocOps: limits.maxDocOps },
        onLimit: host.metrics.limitRefused,
        announce: (m) => cluster.announce(m),
        validate: checkedBy(host.documentCheck, contractCheck),
        stored: (doc) => contractCheck.stored(doc),
        changed: host.documentChanged,
      });
      const presence = new PresenceTable(
        cluster.kind === 'local' ? {} : { announce: (e) => cluster.announce({ ch: PRESENCE_ANNOUNCE, seq: 0, json: JSON.stringify(e) }) },
      );
      const deps: SharedStateDeps = {
        documents,
        presence,
        maxInfoBytes: limits.maxPresenceInfoBytes,
        maxPendingUpdates: limits.maxPendingRequests,
        onLimit: host.metrics.limitRefused,
        // A dropped member stays as long as the hub itself would take to notice a silent client, within session_ttl.
        presenceGraceMs: Math.min(host.config.sessionTtlMs, 2 * host.config.heartbeatMs),
        patchFrames: new PatchFrames(),
      };
      host.connection({
        ops: SHARED_STATE_OPS,
        open(conn) {
          const ops = new SharedStateOps(deps, conn);
          return {
            handle: (op, frame) => ops.handle(op, frame),
            check: (_op, frame) => void ops.checkInfo(frame.info),
            ready: (hello) => ops.hello(ops.checkInfo(hello.info)),
            subscribed: (sub, frame) => ops.subscribed(sub.id, sub.pattern, frame),
            unsubscribed: (subId) => ops.unsubscribed(subId),
            park: (lost) => ops.park(lost),
            close: () => ops.close(),
            async resume(parked, restoredSubs) {
              if (!(parked instanceof ParkedSharedState)) return undefined;
              const r = await ops.resume(parked, restoredSubs);
              return { welcome: { docs: r.docs }, activate: r.activate };
            },
          };
        },
      });
      host.route(documentRoute(documents));
      host.route(documentListRoute(host.config, documents));
      host.statusSection('documents', () => documentsStatus(documents));
      host.announcements(PRESENCE_ANNOUNCE, (m) => {
        try {
          presence.onRemote(JSON.parse(m.json) as PresenceEvent);
        } catch {
          /* a malformed announcement is ignored; the next state corrects */
        }
      });
      host.announcements(DOC_ANNOUNCE_PREFIX, (m) => documents.onAnnounce(m));
      host.onResync(() => documents.resync());
      host.onClose(() => presence.close());
    },
  };
}

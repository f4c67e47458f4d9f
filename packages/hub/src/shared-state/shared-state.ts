import type { ContractSet } from '@switchboard/contracts';
import type { Cluster } from '../cluster/cluster.js';
import type { HubConfig } from '../config/config.js';
import { DOC_ANNOUNCE_PREFIX, Documents, type DocValidator } from './documents.js';
import { PresenceTable, type PresenceEvent } from './presence.js';
import { PatchFrames, type SharedStateDeps } from './shared-state-ops.js';
import type { StoredMessage, Store } from '../store/store.js';

/** Prefix of the contract channel address that declares a document's contract: `doc:<document name>`. */
export const DOC_CONTRACT_PREFIX = 'doc:';
/** Channel name of the presence announcements carried by the cluster bus. */
const PRESENCE_ANNOUNCE = '$presence:';

/** The shared state documents and presence of one hub node. */
export interface SharedState extends SharedStateDeps {
  /** Takes a cluster announcement of a document change or of presence; false for a channel message. */
  onAnnounce(message: StoredMessage): boolean;
  /** Stops the presence timer. */
  close(): void;
}

/**
 * The contract of document `D` is the AsyncAPI channel whose address matches `doc:D` (e.g. `doc:qa/{session}`):
 * the payload of its first message is the JSON Schema of the whole document value.
 */
export function documentValidator(contracts: () => ContractSet): DocValidator {
  return (doc, value) => {
    const set = contracts();
    const ch = DOC_CONTRACT_PREFIX + doc;
    const contract = set.channel(ch);
    const type = contract?.messageTypes[0];
    if (type === undefined) return undefined;
    const v = set.validate(ch, type, value);
    return v && { message: v.message, details: v.details };
  };
}

/** Creates the documents and presence of a hub node. */
export function createSharedState(deps: { store: Store; config: HubConfig; cluster: Cluster; contracts: () => ContractSet }): SharedState {
  const { limits } = deps.config;
  const documents = new Documents({
    store: deps.store,
    limits: { maxDocBytes: limits.maxDocBytes, maxDocOps: limits.maxDocOps },
    announce: (m) => deps.cluster.announce(m),
    validate: documentValidator(deps.contracts),
  });
  const { cluster } = deps;
  const presence = new PresenceTable(cluster.kind === 'local' ? {} : { announce: (e) => cluster.announce({ ch: PRESENCE_ANNOUNCE, seq: 0, json: JSON.stringify(e) }) });
  return {
    documents,
    presence,
    maxInfoBytes: limits.maxPresenceInfoBytes,
    maxPendingUpdates: limits.maxPendingRequests,
    // A dropped member stays as long as the hub itself would take to notice a silent client, within session_ttl.
    presenceGraceMs: Math.min(deps.config.sessionTtlMs, 2 * deps.config.heartbeatMs),
    patchFrames: new PatchFrames(),
    onAnnounce(m) {
      if (m.ch === PRESENCE_ANNOUNCE) {
        try {
          presence.onRemote(JSON.parse(m.json) as PresenceEvent);
        } catch {
          /* a malformed announcement is ignored; the next state corrects */
        }
        return true;
      }
      if (!m.ch.startsWith(DOC_ANNOUNCE_PREFIX)) return false;
      documents.onAnnounce(m);
      return true;
    },
    close: () => presence.close(),
  };
}

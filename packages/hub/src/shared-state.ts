import type { ContractSet } from '@switchboard/contracts';
import type { Cluster } from './cluster/cluster.js';
import type { HubConfig } from './config.js';
import { DOC_ANNOUNCE_PREFIX, Documents, type DocValidator } from './documents.js';
import { PresenceTable } from './presence.js';
import type { SharedStateDeps } from './shared-state-ops.js';
import type { StoredMessage, Store } from './store/store.js';

/** Prefix of the contract channel address that declares a document's contract: `doc:<document name>`. */
export const DOC_CONTRACT_PREFIX = 'doc:';

/** The shared state documents and presence of one hub node. */
export interface SharedState extends SharedStateDeps {
  /** True for a cluster announcement of a document change (rather than a channel message). */
  isAnnouncement(message: StoredMessage): boolean;
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
  return {
    documents,
    presence: new PresenceTable(),
    maxInfoBytes: limits.maxPresenceInfoBytes,
    isAnnouncement: (m) => m.ch.startsWith(DOC_ANNOUNCE_PREFIX),
  };
}

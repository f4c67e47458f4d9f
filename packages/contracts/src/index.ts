/**
 * `@switchboard/contracts`: runtime contracts from AsyncAPI 3 documents. A channel's `address` is the channel
 * name, a message's `name` is the message `type`, and its `payload` (JSON Schema) is compiled once with Ajv.
 */
import { emptyContractSet } from './contract-set.js';
import { buildContractSet } from './loader.js';
import { listContractFiles, readContractFiles } from './load-dir.js';
import type { ContractSet, LoadOptions } from './types.js';

export type { ChannelContract, ChannelDeclaration, ContractSet, LoadOptions, MessageContract, ValueChange } from './types.js';
export type { ViolationResult } from './violations.js';
export { MAX_DETAILS } from './violations.js';
export { ContractLoadError, type ContractLocation } from './errors.js';
export { EXTENSION_KEY, type ChannelMode, type RetentionPolicy, type SwitchboardExtension } from './extension.js';
export type { JsonSchema } from './schema-bundle.js';
export { parseDuration } from './duration.js';
export { listContractFiles } from './load-dir.js';

/**
 * Loads every AsyncAPI 3 document (`*.yaml`, `*.yml`, `*.json`, recursively) in `dir`. Files that are not AsyncAPI
 * documents are not loaded as contracts but can be targets of relative `$ref`s. A directory without documents
 * gives an empty set. Throws {@link ContractLoadError} naming file, place and fix for the first problem found.
 */
export async function loadContracts(dir: string, options?: LoadOptions): Promise<ContractSet> {
  return buildContractSet(await readContractFiles(await listContractFiles(dir)), options);
}

/**
 * Same as {@link loadContracts}, from texts already read. `file` names each document in errors and resolves its
 * relative `$ref`s (against the other given documents first, then the file system).
 */
export function loadContractDocuments(docs: ReadonlyArray<{ file: string; text: string }>, options?: LoadOptions): ContractSet {
  return buildContractSet(docs, options);
}

/** A set with no contracts: no channel has a contract and `validate` always passes. */
export function emptyContracts(): ContractSet {
  return emptyContractSet();
}
export { diffContracts } from './diff/diff.js';
export type { ChangeBreaks, ContractChange } from './diff/types.js';
export { checkOperationMessages } from './diff/operations.js';
export { generateContractTypes, type GeneratedMessageType, type GeneratedTypes, type TypeGenOptions } from './typegen/generate-types.js';
export { createReplay, type Replay, type ReplayChannel, type ReplayField, type ReplayGroup, type ReplayReport, type ReplayedMessage } from './replay/replay.js';
export { contractProblem, formatContractProblem, loadCheckedContracts, type CheckedContracts, type CheckOptions, type ContractProblem } from './check.js';
export { createAsyncApiStructureValidator, MAX_STRUCTURE_PROBLEMS, type AsyncApiStructureValidator } from './structure.js';

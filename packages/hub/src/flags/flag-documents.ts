import type { DocPatch } from '@switchboard/protocol';
import { checkFlag, FLAG_KEY_PATTERN, type FlagDefinition } from '@switchboard/flags';
import type { DocumentProblem } from '../features/feature.js';
import { DOC_BUCKET } from '../shared-state/documents.js';
import type { Store } from '../store/store.js';

/** The documents that hold flags: `flags/<key>`, one flag each. */
export const FLAG_DOC_PREFIX = 'flags/';
/** Flags listed and evaluated in bulk, at most. */
export const MAX_FLAGS = 1000;

/** A flag document as the store keeps it (the record of the shared-state documents). */
interface DocRecord {
  version: number;
  value: unknown;
  recent: DocPatch[];
}

/** The check of a `flags/<key>` document: a key without `/`, and a value that is a flag definition (or null: removed). */
export function checkFlagDocument(doc: string, value: unknown): DocumentProblem | undefined {
  const key = doc.slice(FLAG_DOC_PREFIX.length);
  if (!FLAG_KEY_PATTERN.test(key))
    return { message: `"${key}" is not a flag key: A-Z a-z 0-9 _ - . up to 128 characters, no "/"`, details: [{ path: '', message: 'flag key' }] };
  if (value === null) return undefined;
  const problems = checkFlag(value);
  if (problems.length === 0) return undefined;
  return {
    message: `flag "${key}" is not a valid flag definition: ${problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; ')}`,
    details: problems.map((p) => ({ path: p.pointer, message: p.message })),
  };
}

/** Reads flags from the store's document records. */
export class FlagDocuments {
  constructor(private readonly store: Store) {}

  /** The record of flag `key` (version 0, value null when never written). */
  async record(key: string): Promise<DocRecord> {
    const v = await this.store.kvGet(DOC_BUCKET, FLAG_DOC_PREFIX + key);
    return (v?.value as DocRecord | undefined) ?? { version: 0, value: null, recent: [] };
  }

  /** Flag `key`, when it exists (a written, not removed, valid definition). */
  async flag(key: string): Promise<FlagDefinition | undefined> {
    const value = (await this.record(key)).value;
    return value !== null && checkFlag(value).length === 0 ? (value as FlagDefinition) : undefined;
  }

  /** The keys of every flag document, in order, at most {@link MAX_FLAGS}. */
  async keys(): Promise<string[]> {
    return (await this.store.kvKeys(DOC_BUCKET, { prefix: FLAG_DOC_PREFIX, limit: MAX_FLAGS })).map((d) => d.slice(FLAG_DOC_PREFIX.length));
  }

  /** Every flag, by key. */
  async all(): Promise<Map<string, { flag: FlagDefinition; version: number }>> {
    const out = new Map<string, { flag: FlagDefinition; version: number }>();
    for (const key of await this.keys()) {
      const r = await this.record(key);
      if (r.value !== null && checkFlag(r.value).length === 0) out.set(key, { flag: r.value as FlagDefinition, version: r.version });
    }
    return out;
  }
}

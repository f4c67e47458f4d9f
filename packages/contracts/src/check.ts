import { checkOperationMessages } from './diff/operations.js';
import { ContractLoadError } from './errors.js';
import { listContractFiles, readContractFiles } from './load-dir.js';
import { buildContractSet } from './loader.js';
import type { AsyncApiStructureValidator } from './structure.js';
import type { ContractSet, LoadOptions } from './types.js';

/** One problem of a contract: its place, what is wrong and what to change. */
export interface ContractProblem {
  file: string;
  /** JSON pointer into the document (`""` for the whole file). */
  pointer: string;
  line?: number;
  column?: number;
  problem: string;
  fix: string;
}

/** The result of {@link loadCheckedContracts}: the set when every check passed, else the problems. */
export interface CheckedContracts {
  /** Present only when `problems` is empty. */
  set?: ContractSet;
  problems: ContractProblem[];
}

/** A {@link ContractLoadError} as plain data. */
export function contractProblem(e: ContractLoadError): ContractProblem {
  return {
    file: e.file,
    pointer: e.pointer,
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
    problem: e.problem,
    fix: e.fix,
  };
}

/** `file:line:col at #pointer: problem. Fix: fix` */
export function formatContractProblem(p: ContractProblem): string {
  return new ContractLoadError(p, p.problem, p.fix).message;
}

/** Options of {@link loadCheckedContracts}. */
export interface CheckOptions extends LoadOptions {
  /** Also checks each document against the official AsyncAPI 3 JSON Schema. */
  structure?: AsyncApiStructureValidator;
}

/**
 * Loads every AsyncAPI document under `dir` as one set, as the hub does, and runs the checks of
 * `switchboard contracts check` on it: that the set loads (syntax, AsyncAPI 3, `$ref`s, addresses,
 * `x-switchboard`, payload schemas that compile, no two documents in conflict), that every operation's
 * messages belong to its channel and, with `options.structure`, that each document is valid against the
 * official AsyncAPI 3 JSON Schema. Never throws for a contract problem: it is returned.
 */
export async function loadCheckedContracts(dir: string, options: CheckOptions = {}): Promise<CheckedContracts> {
  let docs: Array<{ file: string; text: string }>;
  let set: ContractSet;
  try {
    docs = await readContractFiles(await listContractFiles(dir));
    set = buildContractSet(docs, options);
  } catch (e) {
    if (e instanceof ContractLoadError) return { problems: [contractProblem(e)] };
    throw e;
  }
  const documents = docs.filter((d) => set.sources.includes(d.file));
  const problems = [...documents.flatMap((d) => options.structure?.check(d.file, d.text) ?? []), ...checkOperationMessages(documents, options)].map(
    contractProblem,
  );
  return problems.length > 0 ? { problems } : { set, problems };
}

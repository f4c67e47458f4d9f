/** Where a contract problem sits: a file, a JSON pointer into it and, when known, a line and column. */
export interface ContractLocation {
  /** The file as it was given (relative paths stay relative). */
  file: string;
  /** RFC 6901 JSON pointer into the parsed document (`""` for the whole document). */
  pointer: string;
  /** 1-based line of the place, when the parser could tell. */
  line?: number;
  /** 1-based column of the place, when the parser could tell. */
  column?: number;
}

/**
 * A contract document cannot be used: unreadable, not YAML/JSON, not AsyncAPI 3, a broken `$ref`, a payload
 * schema that does not compile, an invalid `x-switchboard` extension, or two documents that disagree.
 * The message names the file, the place (line:column and JSON pointer) and the fix; the same parts are fields.
 */
export class ContractLoadError extends Error {
  /** The file the problem is in. */
  readonly file: string;
  /** JSON pointer into the document (`""` for the whole file). */
  readonly pointer: string;
  /** What to change. */
  readonly fix: string;
  /** What is wrong, without the place and the fix. */
  readonly problem: string;
  readonly line?: number;
  readonly column?: number;

  constructor(at: ContractLocation, problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${formatPlace(at)}: ${problem}. Fix: ${fix}`, options);
    this.name = 'ContractLoadError';
    this.file = at.file;
    this.pointer = at.pointer;
    this.problem = problem;
    this.fix = fix;
    if (at.line !== undefined) this.line = at.line;
    if (at.column !== undefined) this.column = at.column;
  }
}

function formatPlace(at: ContractLocation): string {
  const lineCol = at.line !== undefined ? `:${at.line}${at.column !== undefined ? `:${at.column}` : ''}` : '';
  const pointer = at.pointer !== '' ? ` at #${at.pointer}` : '';
  return `${at.file}${lineCol}${pointer}`;
}

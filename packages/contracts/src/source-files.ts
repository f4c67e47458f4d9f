import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ContractLoadError, type ContractLocation } from './errors.js';

/** One parsed YAML or JSON file. */
export interface SourceFile {
  /** The name to show (as given, or derived from the file that referenced it). */
  readonly file: string;
  /** Absolute path, the identity of the file. */
  readonly abs: string;
  readonly value: unknown;
  /** The YAML syntax tree and line counter, for line and column of a place (parsed on first use for JSON files). */
  positions(): { doc: Document; lines: LineCounter } | undefined;
}

/** A place in a parsed file. */
export interface Loc {
  readonly src: SourceFile;
  /** RFC 6901 JSON pointer. */
  readonly pointer: string;
}

/** A place and the value found there. */
export interface Found<T = unknown> {
  loc: Loc;
  value: T;
}

/** Reads a referenced file that was not among the given documents. */
export type ReadText = (absPath: string) => string;

/** Largest contract file read, in characters. */
const MAX_FILE_CHARS = 16 * 1024 * 1024;

/** The pointer of `key` below `pointer`. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The place of `key` below `loc`. */
export function child(loc: Loc, key: string | number): Loc {
  return { src: loc.src, pointer: childPointer(loc.pointer, key) };
}

function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** True for a plain object (a YAML mapping). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseYaml(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Parses YAML or JSON text; a syntax error becomes a {@link ContractLoadError} with line and column. */
export function parseSource(file: string, abs: string, text: string): SourceFile {
  if (text.length > MAX_FILE_CHARS) {
    throw new ContractLoadError(
      { file, pointer: '' },
      `the file is larger than ${MAX_FILE_CHARS} characters`,
      'split the contract into smaller files joined by relative $refs',
    );
  }
  if (/\.json$/i.test(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const at = pos ? lineCol(text, Number(pos[1])) : undefined;
      const where = at ? ` at line ${at.line}, column ${at.column}` : '';
      throw new ContractLoadError(
        { file, pointer: '', ...at },
        `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`,
        `correct the JSON syntax${where}`,
      );
    }
    let positions: { doc: Document; lines: LineCounter } | undefined | null = null;
    return {
      file,
      abs,
      value,
      positions: () => {
        if (positions === null) {
          const p = parseYaml(text);
          positions = p.doc.errors.length === 0 ? p : undefined;
        }
        return positions;
      },
    };
  }
  const { doc, lines } = parseYaml(text);
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    throw new ContractLoadError(
      { file, pointer: '', line, column: col },
      `invalid YAML: ${err.message.split('\n')[0]}`,
      err.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : `correct the YAML syntax at line ${line}, column ${col}`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ContractLoadError({ file, pointer: '' }, `invalid YAML: ${(e as Error).message}`, 'use fewer YAML aliases (*anchor) or write the content out', {
      cause: e,
    });
  }
  return { file, abs, value, positions: () => ({ doc, lines }) };
}

/**
 * The files of one load: the given documents plus every file reached through a relative `$ref`.
 * Resolves references and reports problems at their place.
 */
export class SourceRegistry {
  private readonly byAbs = new Map<string, SourceFile>();
  private readonly order: SourceFile[] = [];
  private readonly reached = new Set<string>();

  constructor(private readonly readText: ReadText) {}

  /** Parses and registers a given document. */
  add(file: string, text: string): SourceFile {
    const abs = resolve(file);
    const src = parseSource(file, abs, text);
    this.byAbs.set(abs, src);
    this.order.push(src);
    return src;
  }

  /** Every registered file, in the order it was added or first referenced. */
  files(): SourceFile[] {
    return [...this.order];
  }

  /** True when a `$ref` led into `src`. */
  referenced(src: SourceFile): boolean {
    return this.reached.has(src.abs);
  }

  /** The file, place and line/column of `loc`, for an error. */
  place(loc: Loc): ContractLocation {
    const at: ContractLocation = { file: loc.src.file, pointer: loc.pointer };
    const pos = loc.src.positions();
    const offset = pos ? nodeOffset(pos.doc, splitPointer(loc.pointer)) : undefined;
    if (pos && offset !== undefined) {
      const { line, col } = pos.lines.linePos(offset);
      at.line = line;
      at.column = col;
    }
    return at;
  }

  /** Throws a {@link ContractLoadError} placed at `loc`. */
  fail(loc: Loc, problem: string, fix: string, cause?: unknown): never {
    throw new ContractLoadError(this.place(loc), problem, fix, cause === undefined ? undefined : { cause });
  }

  /** The value at `loc`; `found` is false when the pointer leads nowhere. */
  at(loc: Loc): { found: boolean; value: unknown } {
    let v: unknown = loc.src.value;
    for (const seg of splitPointer(loc.pointer)) {
      if (Array.isArray(v) && /^(0|[1-9]\d*)$/.test(seg) && Number(seg) < v.length) v = v[Number(seg)];
      else if (isObject(v) && Object.prototype.hasOwnProperty.call(v, seg)) v = v[seg];
      else return { found: false, value: undefined };
    }
    return { found: true, value: v };
  }

  /** Resolves the `$ref` string found at `refLoc` (the place of the `$ref` key itself). */
  resolveRef(ref: string, refLoc: Loc): Loc {
    let target = ref;
    if (/^file:/i.test(target)) target = fileURLToPath(target.split('#')[0]!) + (target.includes('#') ? target.slice(target.indexOf('#')) : '');
    else if (/^[a-z][a-z0-9+.-]+:/i.test(target)) {
      this.fail(
        refLoc,
        `remote $ref "${ref}" is not fetched`,
        'download the referenced document next to the contract and point the $ref at it with a relative path (e.g. ./schemas/tick.yaml#/Tick)',
      );
    }
    const hash = target.indexOf('#');
    const pathPart = hash < 0 ? target : target.slice(0, hash);
    let fragment = hash < 0 ? '' : target.slice(hash + 1);
    try {
      fragment = decodeURIComponent(fragment);
    } catch {
      this.fail(refLoc, `$ref "${ref}" has a badly escaped fragment`, 'escape the fragment as a URI (e.g. %7B for {) or write it plainly');
    }
    if (fragment !== '' && !fragment.startsWith('/')) {
      this.fail(refLoc, `$ref "${ref}" uses a plain-name fragment`, 'point at the target with a JSON pointer, e.g. #/components/schemas/Name');
    }
    let src = refLoc.src;
    if (pathPart !== '') src = this.loadReferenced(safeDecode(pathPart), refLoc, ref);
    this.reached.add(src.abs);
    const loc: Loc = { src, pointer: fragment };
    if (!this.at(loc).found) {
      this.fail(refLoc, `$ref "${ref}" points at nothing: ${src.file} has no #${fragment}`, `correct the $ref, or add #${fragment} to ${src.file}`);
    }
    return loc;
  }

  /** Follows `$ref` chains from `loc` to a value that is not a reference. */
  deref(loc: Loc): Found {
    const seen = new Set<string>();
    let cur = loc;
    for (;;) {
      const { value } = this.at(cur);
      if (!isObject(value) || typeof value.$ref !== 'string') return { loc: cur, value };
      const key = `${cur.src.abs}#${cur.pointer}`;
      if (seen.has(key)) this.fail(cur, 'the $ref chain loops back to itself', 'point one of the $refs at a real definition');
      seen.add(key);
      cur = this.resolveRef(value.$ref, child(cur, '$ref'));
    }
  }

  private loadReferenced(relPath: string, refLoc: Loc, ref: string): SourceFile {
    const abs = resolve(dirname(refLoc.src.abs), relPath);
    const known = this.byAbs.get(abs);
    if (known) return known;
    const file = normalize(join(dirname(refLoc.src.file), relPath));
    let text: string;
    try {
      text = this.readText(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.fail(
        refLoc,
        `$ref "${ref}" names ${file}, which cannot be read (${code ?? (e as Error).message})`,
        'correct the path of the $ref (it is relative to the file that holds it) or add the missing file',
        e,
      );
    }
    const src = parseSource(file, abs, text);
    this.byAbs.set(abs, src);
    this.order.push(src);
    return src;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

/** Offset of the node at `segments` (the key of a mapping entry when there is one); the deepest existing node otherwise. */
function nodeOffset(doc: Document, segments: string[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0];
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) break;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      if (keyRange) offset = keyRange[0];
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      node = item;
      const r = (node as YamlNode).range;
      if (r) offset = r[0];
    } else break;
  }
  return offset;
}

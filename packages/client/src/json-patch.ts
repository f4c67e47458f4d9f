import { pointerSegments, RESERVED_KEYS, type DocOp } from '@switchboard/protocol';

/** A patch operation that cannot be applied to the value at hand (a path that does not resolve, a failed `test`). */
export class PatchError extends Error {
  constructor(
    readonly index: number,
    readonly op: DocOp,
    why: string,
  ) {
    super(`ops[${index}] (${op.op} at "${op.path}") cannot be applied: ${why}`);
    this.name = 'PatchError';
  }
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The container holding the last segment of `segs`, and that segment; throws when a parent is missing. */
function parentOf(doc: unknown, segs: string[], fail: (why: string) => never): { parent: Record<string, unknown> | unknown[]; key: string } {
  let node = doc;
  for (const s of segs.slice(0, -1)) {
    if (!isContainer(node) || !Object.hasOwn(node, s)) fail(`"${s}" does not exist`);
    node = (node as Record<string, unknown>)[s];
  }
  if (!isContainer(node)) fail('its parent is not an object or an array');
  const key = segs[segs.length - 1]!;
  if (RESERVED_KEYS.has(key)) fail(`"${key}" is a reserved key`);
  return { parent: node as Record<string, unknown> | unknown[], key };
}

function get(doc: unknown, pointer: string, fail: (why: string) => never): unknown {
  let node = doc;
  for (const s of pointerSegments(pointer)) {
    if (!isContainer(node) || !Object.hasOwn(node, s)) fail(`"${pointer}" does not exist`);
    node = (node as Record<string, unknown>)[s];
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown, fail: (why: string) => never): unknown {
  const segs = pointerSegments(path);
  if (segs.length === 0) return value;
  const { parent, key } = parentOf(doc, segs, fail);
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else if (ARRAY_INDEX.test(key) && Number(key) <= parent.length) parent.splice(Number(key), 0, value);
    else fail(`"${key}" is not an index of the array (0..${parent.length} or "-")`);
  } else {
    parent[key] = value;
  }
  return doc;
}

function remove(doc: unknown, path: string, fail: (why: string) => never): { doc: unknown; removed: unknown } {
  const segs = pointerSegments(path);
  if (segs.length === 0) return { doc: null, removed: doc };
  const { parent, key } = parentOf(doc, segs, fail);
  if (!Object.hasOwn(parent, key) || (Array.isArray(parent) && !ARRAY_INDEX.test(key))) fail(`"${path}" does not exist`);
  if (Array.isArray(parent)) return { doc, removed: parent.splice(Number(key), 1)[0] };
  const removed = parent[key];
  delete parent[key];
  return { doc, removed };
}

/**
 * Applies RFC 6902 operations (`add`, `remove`, `replace`, `move`, `copy`, `test`) and `inc` to a copy of `value`,
 * with the hub's semantics (an `inc` of an absent key starts from 0; its parent must exist). Returns the new value;
 * throws {@link PatchError} (and changes nothing) when an operation cannot be applied.
 */
export function applyPatch<T>(value: T, ops: readonly DocOp[]): T {
  let doc: unknown = value === undefined ? null : structuredClone(value);
  ops.forEach((op, index) => {
    const fail = (why: string): never => {
      throw new PatchError(index, op, why);
    };
    for (const p of [op.path, op.from])
      if (p !== undefined && (typeof p !== 'string' || (p !== '' && !p.startsWith('/')))) fail(`"${String(p)}" is not a JSON Pointer`);
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, structuredClone(op.value), fail);
        return;
      case 'remove':
        doc = remove(doc, op.path, fail).doc;
        return;
      case 'replace': {
        get(doc, op.path, fail);
        const segs = pointerSegments(op.path);
        if (segs.length === 0) {
          doc = structuredClone(op.value);
          return;
        }
        const { parent, key } = parentOf(doc, segs, fail);
        if (Array.isArray(parent) && !ARRAY_INDEX.test(key)) fail(`"${key}" is not an index of the array`);
        (parent as Record<string, unknown>)[key] = structuredClone(op.value);
        return;
      }
      case 'move': {
        const from = op.from ?? fail('"from" is missing');
        if (op.path !== from && op.path.startsWith(from + '/')) fail('a value cannot be moved into one of its children');
        const taken = remove(doc, from, fail);
        doc = add(taken.doc, op.path, taken.removed, fail);
        return;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(get(doc, op.from ?? fail('"from" is missing'), fail)), fail);
        return;
      case 'test':
        if (!deepEqual(get(doc, op.path, fail), op.value)) fail('the value there differs');
        return;
      case 'inc': {
        if (typeof op.value !== 'number') fail('"value" must be a number');
        const segs = pointerSegments(op.path);
        if (segs.length === 0) {
          if (typeof doc !== 'number') fail('the document is not a number');
          doc = (doc as number) + (op.value as number);
          return;
        }
        const { parent, key } = parentOf(doc, segs, fail);
        if (Array.isArray(parent) && !(ARRAY_INDEX.test(key) && Number(key) < parent.length)) fail(`"${key}" is not an index of the array`);
        const current = Object.hasOwn(parent, key) ? (parent as Record<string, unknown>)[key] : 0;
        if (typeof current !== 'number') fail('the value there is not a number');
        (parent as Record<string, unknown>)[key] = (current as number) + (op.value as number);
        return;
      }
      default:
        fail(`unknown op "${String((op as { op: unknown }).op)}"`);
    }
  });
  return doc as T;
}

import type { ChannelContract, ContractSet, MessageContract } from '../types.js';
import type { ChangeBreaks, ContractChange } from './types.js';

type Schema = Record<string, unknown>;

/** Keywords that only document: a change breaks nobody. */
const ANNOTATIONS = ['title', 'description', 'examples', 'example', 'default', 'deprecated', 'readOnly', 'writeOnly', '$comment', 'x-parser-schema-id'];
/** Keywords compared by the walk itself, or that carry no constraint of the data. */
const HANDLED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'const',
  'items',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  '$ref',
  '$schema',
  '$id',
  'definitions',
  '$defs',
  ...ANNOTATIONS,
]);
/** Keywords whose subschemas the walk pairs up and descends into when both versions have them. */
const COMBINATORS = ['allOf', 'anyOf', 'oneOf'] as const;
/** Upper limits: lowering one (or adding one) narrows. */
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Lower limits: raising one (or adding one) narrows. */
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];

/**
 * Compares two contract sets channel by channel, message type by message type and field by field (walking the
 * two payload JSON Schemas), and classifies every change by whom it breaks. Channels are matched by address,
 * ignoring the names of `{param}` placeholders. Changes come in the order of the new set's channels, then
 * removed channels.
 */
export function diffContracts(oldSet: ContractSet, newSet: ContractSet): ContractChange[] {
  const changes: ContractChange[] = [];
  const oldByKey = new Map(oldSet.channels().map((c) => [channelKey(c.address), c]));
  const newKeys = new Set<string>();
  for (const nc of newSet.channels()) {
    const key = channelKey(nc.address);
    newKeys.add(key);
    const oc = oldByKey.get(key);
    if (!oc) {
      changes.push({ kind: 'channel-added', channel: nc.address, type: null, path: null, old: undefined, new: nc.messageTypes, breaks: 'nobody' });
      continue;
    }
    diffChannel(oc, nc, changes);
  }
  for (const oc of oldSet.channels()) {
    if (!newKeys.has(channelKey(oc.address))) {
      changes.push({ kind: 'channel-removed', channel: oc.address, type: null, path: null, old: oc.messageTypes, new: undefined, breaks: 'producers' });
    }
  }
  return changes;
}

function channelKey(address: string): string {
  return address.replace(/\{[^}]*\}/g, '{}');
}

function diffChannel(oc: ChannelContract, nc: ChannelContract, out: ContractChange[]): void {
  const channel = nc.address;
  if (oc.description !== nc.description) {
    out.push({ kind: 'description-changed', channel, type: null, path: null, old: oc.description, new: nc.description, breaks: 'nobody' });
  }
  if (!deepEqual(oc.extensions, nc.extensions)) {
    out.push({ kind: 'channel-settings-changed', channel, type: null, path: null, old: oc.extensions, new: nc.extensions, breaks: 'nobody' });
  }
  for (const type of nc.messageTypes) {
    const nm = nc.message(type)!;
    const om = oc.message(type);
    if (!om) {
      out.push({ kind: 'message-added', channel, type, path: null, old: undefined, new: plain(nm.schema, nm.schema), breaks: 'consumers' });
      continue;
    }
    diffMessage(channel, om, nm, out);
  }
  for (const type of oc.messageTypes) {
    if (!nc.message(type))
      out.push({
        kind: 'message-removed',
        channel,
        type,
        path: null,
        old: plain(oc.message(type)!.schema, oc.message(type)!.schema),
        new: undefined,
        breaks: 'producers',
      });
  }
}

function diffMessage(channel: string, om: MessageContract, nm: MessageContract, out: ContractChange[]): void {
  const type = nm.type;
  for (const key of ['summary', 'description'] as const) {
    if (om[key] !== nm[key]) out.push({ kind: `${key}-changed`, channel, type, path: null, old: om[key], new: nm[key], breaks: 'nobody' });
  }
  // A payload that is not checked (none, or Avro & co accepted unchecked) accepts anything.
  const os = om.validated ? om.schema : undefined;
  const ns = nm.validated ? nm.schema : undefined;
  if (os === undefined && ns === undefined) {
    if (om.schemaFormat !== nm.schemaFormat) {
      out.push({ kind: 'schema-format-changed', channel, type, path: '', old: om.schemaFormat, new: nm.schemaFormat, breaks: 'nobody' });
    }
    return;
  }
  if (os === undefined) {
    out.push({ kind: 'payload-checked', channel, type, path: '', old: undefined, new: plain(ns, ns), breaks: 'producers' });
    return;
  }
  if (ns === undefined) {
    out.push({ kind: 'payload-unchecked', channel, type, path: '', old: plain(os, os), new: undefined, breaks: 'consumers' });
    return;
  }
  new SchemaWalk(channel, type, os, ns, out).compare(os, ns, '');
}

/** Walks two bundled payload schemas side by side. */
class SchemaWalk {
  private readonly seen = new Set<string>();
  /**
   * Depth inside `oneOf` branches that may overlap (no discriminator): there, a widening can make a message match
   * two branches, which `oneOf` refuses, so it breaks producers too.
   */
  private overlapping = 0;

  constructor(
    private readonly channel: string,
    private readonly type: string,
    private readonly oldRoot: unknown,
    private readonly newRoot: unknown,
    private readonly out: ContractChange[],
  ) {}

  private push(kind: string, path: string, oldV: unknown, newV: unknown, breaks: ChangeBreaks): void {
    if (this.overlapping > 0 && breaks === 'consumers') breaks = 'producers';
    this.out.push({ kind, channel: this.channel, type: this.type, path, old: plain(this.oldRoot, oldV), new: plain(this.newRoot, newV), breaks });
  }

  compare(oldRaw: unknown, newRaw: unknown, path: string): void {
    // Recursive schemas: a pair of $ref targets already being compared further up is not entered again.
    const pairKey = `${finalRef(this.oldRoot, oldRaw)}|${finalRef(this.newRoot, newRaw)}`;
    if (pairKey !== '|') {
      if (this.seen.has(pairKey)) return;
      this.seen.add(pairKey);
    }
    try {
      this.compareResolved(resolve(this.oldRoot, oldRaw), resolve(this.newRoot, newRaw), path);
    } finally {
      this.seen.delete(pairKey);
    }
  }

  private compareResolved(o: unknown, n: unknown, path: string): void {
    if (o === false || n === false || o === true || n === true) {
      if (o !== n) this.push('schema-changed', path, o, n, acceptsAll(n) ? 'consumers' : 'producers');
      return;
    }
    if (!isObject(o) || !isObject(n)) return;

    for (const kw of ANNOTATIONS) {
      if (!deepEqual(o[kw], n[kw])) this.push(`${kw}-changed`, path, o[kw], n[kw], 'nobody');
    }
    this.compareType(o, n, path);
    this.compareEnum(o, n, path);
    this.compareConst(o, n, path);
    for (const kw of UPPER) this.compareLimit(o, n, kw, path, 'upper');
    for (const kw of LOWER) this.compareLimit(o, n, kw, path, 'lower');
    for (const kw of ['pattern', 'format']) this.compareAssertion(o, n, kw, path);
    this.compareObject(o, n, path);
    this.compareItems(o, n, path);
    const walked = new Set<string>();
    for (const kw of COMBINATORS) {
      if (Array.isArray(o[kw]) && Array.isArray(n[kw])) {
        this.compareBranches(kw, o[kw] as unknown[], n[kw] as unknown[], path);
        walked.add(kw);
      }
    }
    // Everything else (not, multipleOf, dependentRequired, a combinator in one version only…): a change is treated as narrowing.
    const others = new Set([...Object.keys(o), ...Object.keys(n)].filter((k) => !HANDLED.has(k) && !walked.has(k)));
    for (const kw of others) {
      if (deepEqual(expand(this.oldRoot, o[kw]), expand(this.newRoot, n[kw]))) continue;
      const kind = o[kw] === undefined ? `${kw}-added` : n[kw] === undefined ? `${kw}-removed` : `${kw}-changed`;
      this.push(kind, path, o[kw], n[kw], n[kw] === undefined ? 'consumers' : 'producers');
    }
  }

  /**
   * Pairs the subschemas of `allOf`/`anyOf`/`oneOf` of the two versions — equal ones first, then by discriminator
   * (a property with a `const` in every branch) or title, then in order — and compares each pair; the path gets
   * `/{oneOf:<discriminator value, title or index>}`. A branch removed from `anyOf`/`oneOf` narrows, one added
   * widens; for `allOf` it is the other way round.
   */
  private compareBranches(kw: (typeof COMBINATORS)[number], ob: unknown[], nb: unknown[], path: string): void {
    const oldLabels = branchLabels(this.oldRoot, ob);
    const newLabels = branchLabels(this.newRoot, nb);
    const keyed = oldLabels.keyed && newLabels.keyed;
    const pairs: Array<[number, number]> = [];
    const freeOld = new Set(ob.map((_, i) => i));
    const freeNew = new Set(nb.map((_, i) => i));
    const take = (match: (i: number, j: number) => boolean): void => {
      for (const j of [...freeNew]) {
        const i = [...freeOld].find((x) => match(x, j));
        if (i === undefined) continue;
        pairs.push([i, j]);
        freeOld.delete(i);
        freeNew.delete(j);
      }
    };
    take((i, j) => deepEqual(expand(this.oldRoot, ob[i]), expand(this.newRoot, nb[j])));
    if (keyed) take((i, j) => oldLabels.labels[i] === newLabels.labels[j]);
    else take((i, j) => [...freeOld].indexOf(i) === [...freeNew].indexOf(j));
    const label = (labels: string[], i: number): string => `${path}/{${kw}:${labels[i]}}`;
    const overlap = kw === 'oneOf' && !keyed;
    if (overlap) this.overlapping++;
    try {
      for (const [i, j] of pairs.sort((a, b) => a[1] - b[1])) this.compare(ob[i], nb[j], label(newLabels.labels, j));
      for (const i of freeOld) this.push('branch-removed', label(oldLabels.labels, i), ob[i], undefined, kw === 'allOf' ? 'consumers' : 'producers');
      for (const j of freeNew) this.push('branch-added', label(newLabels.labels, j), undefined, nb[j], kw === 'allOf' ? 'producers' : 'consumers');
    } finally {
      if (overlap) this.overlapping--;
    }
  }

  private compareType(o: Schema, n: Schema, path: string): void {
    const ot = typeList(o.type);
    const nt = typeList(n.type);
    if (sameSet(ot, nt)) return;
    const narrower = covers(ot, nt);
    const wider = covers(nt, ot);
    const breaks: ChangeBreaks = wider && !narrower ? 'consumers' : 'producers';
    this.push('type-changed', path, o.type, n.type, breaks);
  }

  private compareEnum(o: Schema, n: Schema, path: string): void {
    const oe = Array.isArray(o.enum) ? o.enum : undefined;
    const ne = Array.isArray(n.enum) ? n.enum : undefined;
    if (oe === undefined && ne === undefined) return;
    if (oe === undefined) return this.push('enum-added', path, undefined, ne, 'producers');
    if (ne === undefined) return this.push('enum-removed', path, oe, undefined, 'consumers');
    for (const v of oe) if (!ne.some((x) => deepEqual(x, v))) this.push('enum-value-removed', path, v, undefined, 'producers');
    for (const v of ne) if (!oe.some((x) => deepEqual(x, v))) this.push('enum-value-added', path, undefined, v, 'consumers');
  }

  private compareConst(o: Schema, n: Schema, path: string): void {
    const has = (s: Schema): boolean => Object.prototype.hasOwnProperty.call(s, 'const');
    if (!has(o) && !has(n)) return;
    if (!has(o)) return this.push('const-added', path, undefined, n.const, 'producers');
    if (!has(n)) return this.push('const-removed', path, o.const, undefined, 'consumers');
    if (!deepEqual(o.const, n.const)) this.push('const-changed', path, o.const, n.const, 'producers');
  }

  private compareLimit(o: Schema, n: Schema, kw: string, path: string, side: 'upper' | 'lower'): void {
    const ov = typeof o[kw] === 'number' ? (o[kw] as number) : undefined;
    const nv = typeof n[kw] === 'number' ? (n[kw] as number) : undefined;
    if (ov === nv) {
      if (typeof o[kw] === 'boolean' || typeof n[kw] === 'boolean') {
        if (o[kw] !== n[kw]) this.push(`${kw}-changed`, path, o[kw], n[kw], n[kw] === true ? 'producers' : 'consumers');
      }
      return;
    }
    if (ov === undefined) return this.push(`${kw}-added`, path, undefined, nv, 'producers');
    if (nv === undefined) return this.push(`${kw}-removed`, path, ov, undefined, 'consumers');
    const tighter = side === 'upper' ? nv < ov : nv > ov;
    this.push(`${kw}-${nv < ov ? 'lowered' : 'raised'}`, path, ov, nv, tighter ? 'producers' : 'consumers');
  }

  private compareAssertion(o: Schema, n: Schema, kw: string, path: string): void {
    if (deepEqual(o[kw], n[kw])) return;
    if (o[kw] === undefined) return this.push(`${kw}-added`, path, undefined, n[kw], 'producers');
    if (n[kw] === undefined) return this.push(`${kw}-removed`, path, o[kw], undefined, 'consumers');
    this.push(`${kw}-changed`, path, o[kw], n[kw], 'producers');
  }

  private compareObject(o: Schema, n: Schema, path: string): void {
    const op = isObject(o.properties) ? o.properties : {};
    const np = isObject(n.properties) ? n.properties : {};
    const oreq = stringList(o.required);
    const nreq = stringList(n.required);
    const oClosed = o.additionalProperties === false;
    const nClosed = n.additionalProperties === false;
    for (const name of Object.keys(np)) {
      const p = `${path}/${escapeName(name)}`;
      if (!(name in op)) {
        const required = nreq.includes(name) && !oreq.includes(name);
        this.push(required ? 'required-property-added' : 'property-added', p, undefined, np[name], required ? 'producers' : oClosed ? 'consumers' : 'nobody');
        continue;
      }
      this.compare(op[name], np[name], p);
    }
    for (const name of Object.keys(op)) {
      if (name in np) continue;
      this.push('property-removed', `${path}/${escapeName(name)}`, op[name], undefined, nClosed ? 'producers' : 'consumers');
    }
    for (const name of nreq) {
      if (oreq.includes(name) || (name in np && !(name in op))) continue;
      this.push('required-added', `${path}/${escapeName(name)}`, false, true, 'producers');
    }
    for (const name of oreq) {
      if (nreq.includes(name)) continue;
      this.push('required-removed', `${path}/${escapeName(name)}`, true, false, 'consumers');
    }
    const oa = o.additionalProperties;
    const na = n.additionalProperties;
    if (oClosed !== nClosed) {
      this.push(nClosed ? 'additional-properties-closed' : 'additional-properties-opened', path, oa ?? true, na ?? true, nClosed ? 'producers' : 'consumers');
    } else if (isObject(oa) && isObject(na)) {
      this.compare(oa, na, `${path}/{additional}`);
    } else if (!oClosed && !deepEqual(oa ?? true, na ?? true)) {
      this.push('additional-properties-changed', path, oa ?? true, na ?? true, acceptsAll(resolve(this.newRoot, na ?? true)) ? 'consumers' : 'producers');
    }
  }

  private compareItems(o: Schema, n: Schema, path: string): void {
    const oi = o.items;
    const ni = n.items;
    if (oi === undefined && ni === undefined) return;
    const p = `${path}/[]`;
    if (Array.isArray(oi) || Array.isArray(ni)) {
      if (!deepEqual(expand(this.oldRoot, oi), expand(this.newRoot, ni))) this.push('items-changed', p, oi, ni, 'producers');
      return;
    }
    if (oi === undefined) return this.push('items-added', p, undefined, ni, 'producers');
    if (ni === undefined) return this.push('items-removed', p, oi, undefined, 'consumers');
    this.compare(oi, ni, p);
  }
}

/**
 * Labels of the branches of a combinator: the value of a discriminator (a property with a `const`, or a
 * one-value `enum`, in every branch, with distinct values), else distinct titles, else the index. `keyed` is
 * false for indexes.
 */
function branchLabels(root: unknown, branches: unknown[]): { labels: string[]; keyed: boolean } {
  const resolved = branches.map((b) => resolve(root, b));
  const constOf = (b: unknown, key: string): unknown => {
    const props = isObject(b) && isObject(b.properties) ? b.properties : undefined;
    const p = props ? resolve(root, props[key]) : undefined;
    if (!isObject(p)) return undefined;
    if ('const' in p) return p.const;
    return Array.isArray(p.enum) && p.enum.length === 1 ? p.enum[0] : undefined;
  };
  const first = resolved[0];
  const candidates = isObject(first) && isObject(first.properties) ? Object.keys(first.properties) : [];
  for (const key of candidates) {
    const values = resolved.map((b) => constOf(b, key));
    if (values.every((v) => v !== undefined && typeof v !== 'object')) {
      const labels = values.map((v) => String(v));
      if (new Set(labels).size === labels.length) return { labels, keyed: true };
    }
  }
  const titles = resolved.map((b) => (isObject(b) && typeof b.title === 'string' ? b.title : undefined));
  if (titles.every((t) => t !== undefined) && new Set(titles).size === titles.length) return { labels: titles as string[], keyed: true };
  return { labels: branches.map((_, i) => String(i)), keyed: false };
}

const JSON_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

/** The JSON types a schema allows (every type when `type` is absent). */
function typeList(t: unknown): string[] {
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return JSON_TYPES;
}

/** True when every type of `inner` is allowed by `outer` (`integer` is allowed by `number`). */
function covers(outer: string[], inner: string[]): boolean {
  return inner.every((t) => outer.includes(t) || (t === 'integer' && outer.includes('number')));
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function escapeName(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function acceptsAll(s: unknown): boolean {
  return s === true || (isObject(s) && Object.keys(s).every((k) => ANNOTATIONS.includes(k)));
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The last `$ref` of the chain that starts at `s` ('' when `s` is not a reference). */
function finalRef(root: unknown, s: unknown): string {
  let ref = '';
  let cur = s;
  for (let i = 0; i < 32 && isObject(cur) && typeof cur.$ref === 'string' && cur.$ref.startsWith('#'); i++) {
    ref = cur.$ref;
    cur = pointerGet(root, cur.$ref.slice(1));
  }
  return ref;
}

/** Follows local `$ref`s of a bundled schema (`#/definitions/s1`); sibling keywords are kept. */
function resolve(root: unknown, s: unknown): unknown {
  let cur = s;
  for (let i = 0; i < 32 && isObject(cur) && typeof cur.$ref === 'string' && cur.$ref.startsWith('#'); i++) {
    const target = pointerGet(root, cur.$ref.slice(1));
    if (target === undefined) break;
    const { $ref: _ref, ...siblings } = cur;
    cur = isObject(target) ? { ...target, ...siblings } : target;
  }
  return cur;
}

/** A schema with its `$ref`s replaced by their targets (to compare keywords that the walk does not descend into). */
function expand(root: unknown, s: unknown, keepAnnotations = false, depth = 0): unknown {
  if (depth > 16) return s;
  const r = resolve(root, s);
  if (Array.isArray(r)) return r.map((x) => expand(root, x, keepAnnotations, depth + 1));
  if (!isObject(r)) return r;
  const out: Schema = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'definitions' || k === '$defs' || (!keepAnnotations && ANNOTATIONS.includes(k))) continue;
    out[k] = expand(root, v, keepAnnotations, depth + 1);
  }
  return out;
}

/** A bundled schema (or part of one) with its `$ref`s replaced by their targets, for showing in a change. */
function plain(root: unknown, s: unknown): unknown {
  return s === undefined ? undefined : expand(root, s, true);
}

function pointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let v: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isObject(v)) v = v[seg];
    else return undefined;
  }
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

import { child, isObject, type Loc, type SourceRegistry } from './source-files.js';

/** A JSON Schema: an object or a boolean. */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** The JSON Schema dialects Switchboard validates with. */
export type Dialect = 'draft-07' | '2019-09' | '2020-12';

/** The schema format of a payload, understood. `dialect` undefined: not JSON Schema (Avro, RAML, Protobuf…). */
export interface SchemaFormat {
  text: string;
  dialect?: Dialect;
  /** Why a JSON Schema-like format is still refused, and what to write instead. */
  refusal?: { problem: string; fix: string };
}

const FIX_FORMAT =
  'write the payload as JSON Schema (draft-07, 2019-09 or 2020-12) or an AsyncAPI schema, e.g. schemaFormat: application/schema+json;version=draft-07, or remove schemaFormat';

/** Reads an AsyncAPI `schemaFormat` (absent: the AsyncAPI schema, a draft-07 superset). */
export function parseSchemaFormat(text: string | undefined): SchemaFormat {
  if (text === undefined) return { text: 'application/vnd.aai.asyncapi', dialect: 'draft-07' };
  const [type = '', ...params] = text.split(';').map((p) => p.trim().toLowerCase());
  const version = params
    .find((p) => p.startsWith('version='))
    ?.slice('version='.length)
    .replace(/^"|"$/g, '');
  if (/^application\/vnd\.aai\.asyncapi(\+json|\+yaml)?$/.test(type)) return { text, dialect: 'draft-07' };
  if (/^application\/schema(\+json|\+yaml)?$/.test(type)) {
    if (version === undefined || version === 'draft-07' || version === 'draft-06') return { text, dialect: 'draft-07' };
    if (version === '2019-09' || version === 'draft-2019-09') return { text, dialect: '2019-09' };
    if (version === '2020-12' || version === 'draft-2020-12') return { text, dialect: '2020-12' };
    return {
      text,
      refusal: {
        problem: `JSON Schema version "${version}" is not supported`,
        fix:
          version === 'draft-04'
            ? 'declare version=draft-07 (change boolean exclusiveMinimum/exclusiveMaximum to numbers and id to $id)'
            : 'declare version=draft-07, 2019-09 or 2020-12',
      },
    };
  }
  if (/^application\/vnd\.oai\.openapi(\+json|\+yaml)?$/.test(type)) {
    if (version === undefined || version.startsWith('3.0')) return { text, dialect: 'draft-07' };
    if (version.startsWith('3.1')) return { text, dialect: '2020-12' };
  }
  return { text };
}

/** Why a schema format cannot be validated, and the fix. */
export function formatRefusal(format: SchemaFormat): { problem: string; fix: string } {
  return format.refusal ?? { problem: `payload schema format "${format.text}" is not JSON Schema, so the hub cannot validate it`, fix: FIX_FORMAT };
}

/** The dialect a schema's own `$schema` asks for, when it names one. */
export function dialectOfSchema(schema: unknown): Dialect | 'draft-04' | undefined {
  const s = isObject(schema) ? schema.$schema : undefined;
  if (typeof s !== 'string') return undefined;
  if (s.includes('2020-12')) return '2020-12';
  if (s.includes('2019-09')) return '2019-09';
  if (s.includes('draft-04')) return 'draft-04';
  return 'draft-07';
}

const SCHEMA_ONE = new Set([
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'not',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
  'items',
]);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies']);
const DROPPED = new Set(['$id', '$schema', 'id']);

/** The container of a bundle's definitions for a dialect. */
export function defsKeyword(dialect: Dialect): 'definitions' | '$defs' {
  return dialect === 'draft-07' ? 'definitions' : '$defs';
}

/**
 * Makes one self-contained schema from the schema at `root`: every `$ref` (local, or into another file) becomes
 * `#/<defs>/sN`, and each referenced schema is copied once into `<defs>`. Broken references throw with their place.
 * `$id`/`$schema` inside the copy are dropped (the bundle is compiled for the chosen dialect). `places` receives
 * the source place of each `sN`.
 */
export function bundleSchema(reg: SourceRegistry, root: Loc, dialect: Dialect, places?: Map<string, Loc>): JsonSchema {
  const defsKey = defsKeyword(dialect);
  const names = new Map<string, string>();
  const queue: Loc[] = [];
  const defs: Record<string, unknown> = {};
  const nameOf = (loc: Loc): string => {
    const key = `${loc.src.abs}#${loc.pointer}`;
    let name = names.get(key);
    if (name === undefined) {
      name = `s${names.size}`;
      names.set(key, name);
      places?.set(name, loc);
      queue.push(loc);
    }
    return name;
  };

  const schema = (value: unknown, loc: Loc): unknown => {
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const at = child(loc, k);
      if (k === '$ref' && typeof v === 'string') out[k] = `#/${defsKey}/${nameOf(reg.resolveRef(v, at))}`;
      else if (DROPPED.has(k) && typeof v === 'string') continue;
      else if (SCHEMA_LIST.has(k) && Array.isArray(v)) out[k] = v.map((item, i) => schema(item, child(at, i)));
      else if (SCHEMA_ONE.has(k)) out[k] = schema(v, at);
      else if (SCHEMA_MAP.has(k) && isObject(v)) {
        const m: Record<string, unknown> = {};
        for (const [name, sub] of Object.entries(v)) {
          if (k === 'patternProperties') checkRegExp(reg, name, child(at, name));
          m[name] = Array.isArray(sub) ? sub : schema(sub, child(at, name));
        }
        out[k] = m;
      } else {
        if (k === 'pattern' && typeof v === 'string') checkRegExp(reg, v, at);
        out[k] = v;
      }
    }
    return out;
  };

  nameOf(root);
  for (let i = 0; i < queue.length; i++) {
    const loc = queue[i]!;
    defs[`s${i}`] = schema(reg.at(loc).value, loc);
  }
  return { $ref: `#/${defsKey}/s0`, [defsKey]: defs };
}

function checkRegExp(reg: SourceRegistry, pattern: string, at: Loc): void {
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    reg.fail(
      at,
      `the regular expression ${JSON.stringify(pattern)} is invalid: ${(e as Error).message}`,
      'correct the regular expression; it is compiled with the u (unicode) flag, where needless escapes such as \\- or \\_ are errors',
      e,
    );
  }
}

/** True when two bundles describe the same schema (references followed, cycles allowed). */
export function sameSchema(a: JsonSchema, b: JsonSchema): boolean {
  if (!isObject(a) || !isObject(b)) return a === b;
  const defsA = (a.definitions ?? a.$defs) as Record<string, unknown> | undefined;
  const defsB = (b.definitions ?? b.$defs) as Record<string, unknown> | undefined;
  if (!defsA || !defsB || 'definitions' in a !== 'definitions' in b) return false;
  const seen = new Set<string>();
  const refName = (v: unknown): string | undefined => {
    if (!isObject(v) || typeof v.$ref !== 'string' || Object.keys(v).length !== 1) return undefined;
    const m = /^#\/(?:definitions|\$defs)\/(s\d+)$/.exec(v.$ref);
    return m ? m[1] : undefined;
  };
  const eq = (x: unknown, y: unknown): boolean => {
    const rx = refName(x);
    const ry = refName(y);
    if (rx !== undefined || ry !== undefined) {
      const pair = `${rx ?? JSON.stringify(x)}|${ry ?? JSON.stringify(y)}`;
      if (seen.has(pair)) return true;
      seen.add(pair);
      return eq(rx !== undefined ? defsA[rx] : x, ry !== undefined ? defsB[ry] : y);
    }
    if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((v, i) => eq(v, y[i]));
    if (isObject(x)) {
      if (!isObject(y) || Array.isArray(y)) return false;
      const kx = Object.keys(x);
      if (kx.length !== Object.keys(y).length) return false;
      return kx.every((k) => Object.prototype.hasOwnProperty.call(y, k) && (k === '$ref' ? refEq(x[k], y[k]) : eq(x[k], y[k])));
    }
    return x === y;
  };
  const refEq = (x: unknown, y: unknown): boolean => {
    const nx = refName({ $ref: x });
    const ny = refName({ $ref: y });
    if (nx === undefined || ny === undefined) return x === y;
    return eq({ $ref: x }, { $ref: y });
  };
  return eq({ $ref: a.$ref }, { $ref: b.$ref });
}

import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from './schema-bundle.js';
import type { ValueChange } from './types.js';

/**
 * Keywords a schema may hold above a changed place for the change to be checked where it happened: none of them
 * looks deeper than the keys of its own object (or the length of its own array), so a number replaced below, or a
 * key added to an object, cannot change their outcome except where this module checks it. Any other keyword
 * (`enum`, `const`, `allOf`, `oneOf`, `if`, `contains`, `uniqueItems`, `unevaluated*`, `dependencies`…) sends the
 * value to the whole-schema check.
 */
const STRUCTURAL = new Set([
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'title',
  'description',
  '$comment',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'format',
  'definitions',
  '$defs',
]);

/** The object-level keywords that a key added to an object can break, checked by hand (the others by Ajv). */
const COUNTED = new Set(['required', 'minProperties', 'maxProperties']);

type Schema = { [keyword: string]: unknown };

/** Compiles a schema that may `$ref` the bundle's definitions. */
export type CompileWithDefs = (schema: JsonSchema) => ValidateFunction;

function escapeToken(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isSchemaObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a value after in-place changes (a number replaced, a key added) to a value that satisfied the schema:
 * only the changed places, and the objects that gained a key, when every schema above them is
 * {@link STRUCTURAL}. Gives the same Ajv errors (with their full instance paths) as checking the whole value.
 */
export class ChangeChecker {
  private readonly defs: Record<string, unknown>;
  private readonly defsKey: string;
  private readonly root: JsonSchema;
  /** Validators of single schemas of the bundle, and of objects' schemas without their counted keywords. */
  private readonly whole = new Map<JsonSchema, ValidateFunction>();
  private readonly keyOnly = new Map<Schema, ValidateFunction>();
  private readonly regexps = new Map<string, RegExp>();
  private readonly verdicts = new Map<Schema, boolean>();

  constructor(
    bundle: Schema,
    private readonly compile: CompileWithDefs,
  ) {
    this.defsKey = '$defs' in bundle ? '$defs' : 'definitions';
    this.defs = (bundle[this.defsKey] ?? {}) as Record<string, unknown>;
    this.root = { $ref: bundle.$ref } as Schema;
  }

  /**
   * The Ajv errors of `data` after `changes`, `[]` when it is valid; undefined when a schema above a change is not
   * structural (the caller checks the whole value).
   */
  errors(data: unknown, changes: readonly ValueChange[]): ErrorObject[] | undefined {
    const errors: ErrorObject[] = [];
    for (const change of changes) {
      const found = this.check(data, change, errors);
      if (!found) return undefined;
    }
    return errors;
  }

  private check(data: unknown, change: ValueChange, errors: ErrorObject[]): boolean {
    const { path } = change;
    if (path.length === 0) return false;
    let schemas: Schema[] | undefined = this.resolve([this.root]);
    let value: unknown = data;
    let pointer = '';
    const last = change.created ? path.length - 1 : path.length;
    for (let i = 0; i < last; i++) {
      if (!schemas || !schemas.every((s) => this.structural(s))) return false;
      if (schemas.length === 0) return true;
      const key = path[i]!;
      schemas = this.resolve(schemas.flatMap((s) => this.childSchemas(s, value, key) ?? [false]));
      if (!schemas) return false;
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return false;
      value = (value as Record<string, unknown>)[key];
      pointer += `/${escapeToken(key)}`;
    }
    if (!change.created) {
      for (const s of schemas ?? [])
        this.run(
          this.validator(this.whole, s, (x) => x),
          value,
          pointer,
          errors,
        );
      return schemas !== undefined;
    }
    if (!schemas || !schemas.every((s) => this.structural(s))) return false;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const key = path[path.length - 1]!;
    const object = value as Record<string, unknown>;
    if (!Object.hasOwn(object, key)) return false;
    for (const s of schemas) {
      this.run(this.validator(this.keyOnly, s, keyOnly), { [key]: object[key] }, pointer, errors);
      if (typeof s.maxProperties === 'number' && Object.keys(object).length > s.maxProperties) {
        errors.push({
          instancePath: pointer,
          schemaPath: '#/maxProperties',
          keyword: 'maxProperties',
          params: { limit: s.maxProperties },
          message: `must NOT have more than ${s.maxProperties} properties`,
          schema: s.maxProperties,
          parentSchema: s,
          data: object,
        });
      }
    }
    return true;
  }

  /** The schemas `$ref`s lead to, `true` dropped; undefined when one of them is `false` or a `$ref` has siblings. */
  private resolve(list: JsonSchema[]): Schema[] | undefined {
    const out: Schema[] = [];
    for (let s of list) {
      for (let hops = 0; isSchemaObject(s) && typeof s.$ref === 'string'; hops++) {
        const m = /^#\/(?:definitions|\$defs)\/([^/]+)$/.exec(s.$ref);
        if (!m || hops > 32 || Object.keys(s).some((k) => k !== '$ref' && !isAnnotation(k))) return undefined;
        s = this.defs[m[1]!] as JsonSchema;
      }
      if (s === true) continue;
      if (!isSchemaObject(s)) return undefined;
      out.push(s);
    }
    return out;
  }

  private structural(s: Schema): boolean {
    let verdict = this.verdicts.get(s);
    if (verdict === undefined) {
      verdict = !Array.isArray(s.items) && Object.keys(s).every((k) => STRUCTURAL.has(k) || isAnnotation(k));
      this.verdicts.set(s, verdict);
    }
    return verdict;
  }

  /** The schemas that apply to `parent[key]` under object or array schema `s`. */
  private childSchemas(s: Schema, parent: unknown, key: string): JsonSchema[] | undefined {
    if (Array.isArray(parent)) return s.items === undefined ? [] : [s.items as JsonSchema];
    const out: JsonSchema[] = [];
    const props = s.properties as Record<string, JsonSchema> | undefined;
    let matched = false;
    if (props && Object.hasOwn(props, key)) {
      out.push(props[key]!);
      matched = true;
    }
    const patterns = s.patternProperties as Record<string, JsonSchema> | undefined;
    for (const [pattern, sub] of Object.entries(patterns ?? {})) {
      if (!this.regexp(pattern).test(key)) continue;
      out.push(sub);
      matched = true;
    }
    if (!matched && s.additionalProperties !== undefined) out.push(s.additionalProperties as JsonSchema);
    return out;
  }

  private regexp(pattern: string): RegExp {
    let re = this.regexps.get(pattern);
    if (!re) {
      re = new RegExp(pattern, 'u');
      this.regexps.set(pattern, re);
    }
    return re;
  }

  private validator<K extends JsonSchema>(cache: Map<K, ValidateFunction>, key: K, schema: (key: K) => JsonSchema): ValidateFunction {
    let v = cache.get(key);
    if (!v) {
      v = this.compile({ [this.defsKey]: this.defs, allOf: [schema(key)] });
      cache.set(key, v);
    }
    return v;
  }

  private run(check: ValidateFunction, value: unknown, pointer: string, errors: ErrorObject[]): void {
    if (check(value)) return;
    for (const e of check.errors ?? []) errors.push({ ...e, instancePath: pointer + e.instancePath });
  }
}

/** Annotation keys Ajv ignores (extensions such as `x-…` included). */
function isAnnotation(k: string): boolean {
  return k.startsWith('x-') || k === 'nullable' || k === 'discriminator' || k === 'externalDocs' || k === 'example';
}

/** Object schema `s` without the keywords a single added key is checked against by hand. */
function keyOnly(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) if (!COUNTED.has(k)) out[k] = v;
  return out;
}

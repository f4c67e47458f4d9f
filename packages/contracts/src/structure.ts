import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ContractLoadError } from './errors.js';
import { isObject, SourceRegistry } from './source-files.js';

const addFormats = addFormatsModule.default;
const SPEC = 'https://www.asyncapi.com/docs/reference/specification/v3.0.0';

/** Most problems reported for one document (the first ones, by place). */
export const MAX_STRUCTURE_PROBLEMS = 10;

/**
 * Checks AsyncAPI documents against the official AsyncAPI 3 JSON Schema (`@asyncapi/specs`, the version the
 * document names: 3.0.0, 3.1.0…). Each schema is compiled on first use (a few seconds) and kept by this
 * validator: make one per process and reuse it.
 */
export interface AsyncApiStructureValidator {
  /** One {@link ContractLoadError} per problem (file, line:column, JSON pointer, fix); `[]` when valid or not AsyncAPI 3. */
  check(file: string, text: string): ContractLoadError[];
}

/** Creates a validator; nothing is compiled until the first {@link AsyncApiStructureValidator.check}. */
export function createAsyncApiStructureValidator(): AsyncApiStructureValidator {
  // The official schemas (every AsyncAPI version, several MB) are read on first use, not when a hub starts.
  let specs: { schemas: Record<string, Record<string, unknown>> } | undefined;
  let versions: string[] = [];
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (version: string): ValidateFunction | undefined => {
    if (!specs) {
      specs = createRequire(import.meta.url)('@asyncapi/specs') as { schemas: Record<string, Record<string, unknown>> };
      versions = Object.keys(specs.schemas)
        .filter((v) => v.startsWith('3.'))
        .sort(compareVersions);
    }
    const chosen = [...versions].reverse().find((v) => compareVersions(v, version) <= 0);
    if (!chosen) return undefined;
    let fn = compiled.get(chosen);
    if (!fn) {
      // A copy without the JSON Schema meta-schemas it embeds: Ajv has them already and refuses duplicates.
      const schema = structuredClone(specs.schemas[chosen]!);
      const defs = schema.definitions as Record<string, unknown>;
      delete defs['http://json-schema.org/draft-07/schema'];
      delete defs['http://json-schema.org/draft-04/schema'];
      const ajv = new Ajv({ strict: false, allErrors: true, code: { optimize: false } });
      addFormats(ajv as never);
      fn = ajv.compile(schema);
      compiled.set(chosen, fn);
    }
    return fn;
  };
  return {
    check(file, text) {
      const reg = new SourceRegistry((p) => readFileSync(p, 'utf8'));
      let src;
      try {
        src = reg.add(file, text);
      } catch {
        return []; // the loader reports syntax errors
      }
      const doc = src.value;
      if (!isObject(doc) || typeof doc.asyncapi !== 'string' || !/^3\.\d+\.\d+$/.test(doc.asyncapi)) return [];
      const validate = validatorFor(doc.asyncapi);
      if (!validate || validate(doc)) return [];
      return relevant(validate.errors ?? [])
        .map((e) => {
          const { pointer, problem, fix } = describe(e, doc);
          return new ContractLoadError(reg.place({ src, pointer }), problem, fix);
        })
        .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
        .slice(0, MAX_STRUCTURE_PROBLEMS);
    },
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The errors worth showing. Most AsyncAPI objects may also be a Reference Object (`oneOf: [Reference, X]`), so a
 * wrong object also fails "must have $ref" and the `oneOf` itself: those are dropped when a more precise error
 * explains the same place; then one error per place, the deepest places only.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const precise = errors.filter((e) => !(e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === '$ref'));
  const combinator = (e: ErrorObject) => ['oneOf', 'anyOf', 'if', 'not'].includes(e.keyword);
  const kept = precise.filter((e) => !combinator(e) || !precise.some((o) => o !== e && !combinator(o) && within(o.instancePath, e.instancePath)));
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const at = placeOf(e);
    if (kept.some((o) => o !== e && placeOf(o) !== at && within(placeOf(o), at) && !combinator(o))) continue;
    const key = `${at}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out.length > 0 ? out : errors.slice(0, 1);
}

/** True when `inner` is `outer` or below it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** The pointer a problem is shown at: the offending property itself for `additionalProperties`. */
function placeOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${escape((e.params as { additionalProperty: string }).additionalProperty)}`;
  return e.instancePath;
}

function escape(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function valueAt(doc: unknown, pointer: string): unknown {
  let v = doc;
  for (const seg of pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    v = Array.isArray(v) ? v[Number(seg)] : isObject(v) ? v[seg] : undefined;
  }
  return v;
}

function describe(e: ErrorObject, doc: unknown): { pointer: string; problem: string; fix: string } {
  const at = e.instancePath;
  const name = at === '' ? 'the document' : `"${at.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~')}"`;
  const p = e.params as Record<string, unknown>;
  const got = JSON.stringify(valueAt(doc, at)) ?? 'nothing';
  const shown = got.length > 60 ? `${got.slice(0, 57)}...` : got;
  switch (e.keyword) {
    case 'required':
      return {
        pointer: at,
        problem: `${name} lacks the required field "${String(p.missingProperty)}" (AsyncAPI 3 schema)`,
        fix: `add "${String(p.missingProperty)}" to ${name} (see ${SPEC})`,
      };
    case 'additionalProperties': {
      const prop = String(p.additionalProperty);
      return {
        pointer: placeOf(e),
        problem: `"${prop}" is not a field AsyncAPI 3 allows in ${name}`,
        fix: `remove "${prop}", correct its spelling, or rename it "x-${prop}" to keep it as a specification extension`,
      };
    }
    case 'type':
      return {
        pointer: at,
        problem: `${name} is ${shown}, but AsyncAPI 3 wants ${String(p.type).split(',').join(' or ')}`,
        fix: `write ${name} as ${String(p.type).split(',').join(' or ')}`,
      };
    case 'enum':
      return {
        pointer: at,
        problem: `${name} is ${shown}, not one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        fix: `use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return {
        pointer: at,
        problem: `${name} is ${shown}, AsyncAPI 3 wants ${JSON.stringify(p.allowedValue)}`,
        fix: `set ${name} to ${JSON.stringify(p.allowedValue)}`,
      };
    case 'format':
      return { pointer: at, problem: `${name} is ${shown}, not a valid ${String(p.format)}`, fix: `write ${name} as a ${String(p.format)}` };
    case 'pattern':
      return {
        pointer: at,
        problem: `${name} is ${shown}, which does not match ${String(p.pattern)}`,
        fix: `write ${name} so that it matches ${String(p.pattern)}`,
      };
    case 'propertyNames':
      return {
        pointer: at,
        problem: `${name} has a key AsyncAPI 3 does not allow (${e.message ?? 'invalid name'})`,
        fix: `rename the key; component and channel keys are letters, digits, ".", "_" and "-" (see ${SPEC})`,
      };
    default:
      return {
        pointer: at,
        problem: `${name} ${e.message ?? `fails ${e.keyword}`} (AsyncAPI 3 schema, ${e.keyword})`,
        fix: `correct ${name} following the AsyncAPI 3 specification (${SPEC})`,
      };
  }
}

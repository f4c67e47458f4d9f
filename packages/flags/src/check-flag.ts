import { typeOf } from './evaluate.js';

/** A flag key: what `flags/<key>` documents and OFREP paths accept. */
export const FLAG_KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

const MAX_VARIANTS = 100;
const KNOWN = new Set(['state', 'variants', 'defaultVariant', 'targeting', 'metadata']);

/** One problem of a flag definition: where (a JSON Pointer) and what to change. */
export interface FlagProblem {
  pointer: string;
  message: string;
}

/**
 * Checks a flag definition (flagd's format): `state` ENABLED or DISABLED, 1 to 100 `variants` all of one type
 * (boolean, string, number or object), `defaultVariant` one of them (or null), `targeting` a JSON Logic object,
 * `metadata` strings, numbers and booleans. Returns every problem found (none: valid).
 */
export function checkFlag(value: unknown): FlagProblem[] {
  const out: FlagProblem[] = [];
  if (!isObject(value)) return [{ pointer: '', message: 'a flag is an object: {"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"}' }];
  for (const k of Object.keys(value))
    if (!KNOWN.has(k)) out.push({ pointer: `/${k}`, message: `unknown field "${k}"; a flag has state, variants, defaultVariant, targeting, metadata` });
  if (value.state !== 'ENABLED' && value.state !== 'DISABLED') out.push({ pointer: '/state', message: '"state" must be "ENABLED" or "DISABLED"' });
  const variants = value.variants;
  if (!isObject(variants) || Object.keys(variants).length === 0 || Object.keys(variants).length > MAX_VARIANTS) {
    out.push({ pointer: '/variants', message: `"variants" must be an object of 1 to ${MAX_VARIANTS} named values, e.g. {"on": true, "off": false}` });
  } else {
    const types = new Set<string>();
    for (const [name, v] of Object.entries(variants)) {
      const t = typeOf(v);
      if (t === 'invalid') out.push({ pointer: `/variants/${escape(name)}`, message: `variant "${name}" must be a boolean, string, number or object` });
      else types.add(t);
    }
    if (types.size > 1) out.push({ pointer: '/variants', message: `the variants must all be of one type; they are ${[...types].join(', ')}` });
  }
  const dv = value.defaultVariant;
  if (dv !== undefined && dv !== null && (typeof dv !== 'string' || !isObject(variants) || !Object.hasOwn(variants, dv)))
    out.push({ pointer: '/defaultVariant', message: `"defaultVariant" must name one of the variants (or be null); got ${JSON.stringify(dv)}` });
  if (value.targeting !== undefined && value.targeting !== null && !isObject(value.targeting))
    out.push({ pointer: '/targeting', message: '"targeting" must be a JSON Logic object, e.g. {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", "off"]}' });
  if (value.metadata !== undefined) {
    if (!isObject(value.metadata) || !Object.values(value.metadata).every((m) => ['string', 'number', 'boolean'].includes(typeof m)))
      out.push({ pointer: '/metadata', message: '"metadata" must be an object of strings, numbers and booleans' });
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

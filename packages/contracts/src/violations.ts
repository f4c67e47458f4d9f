import type { ErrorObject } from 'ajv';
import type { ViolationDetail } from '@switchboard/protocol';

/** A rejected message: one readable sentence and the failing fields. */
export interface ViolationResult {
  /** One sentence naming channel, type and each problem, e.g. `market.ticks/tick: /bid must be number (got string)`. */
  message: string;
  /** One item per failing field (at most {@link MAX_DETAILS}). */
  details: ViolationDetail[];
}

/** Most details reported for one message; the message sentence says how many more there were. */
export const MAX_DETAILS = 20;
const MAX_IN_MESSAGE = 5;

function escapeToken(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** JSON type name of a value, as JSON Schema names them. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function where(path: string): string {
  return path === '' ? 'payload' : path;
}

/** Turns one Ajv error into a violation detail. */
function detailOf(e: ErrorObject): ViolationDetail {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath;
  const got = e.data;
  switch (e.keyword) {
    case 'type': {
      const expected = String(p.type);
      return { path: at, rule: 'type', expected, message: `${where(at)} must be ${expected.split(',').join(' or ')} (got ${jsonType(got)})` };
    }
    case 'required':
    case 'dependencies':
    case 'dependentRequired': {
      const name = String(p.missingProperty);
      const path = `${at}/${escapeToken(name)}`;
      const because = e.keyword === 'required' ? '' : ` when ${String(p.property)} is present`;
      return { path, rule: e.keyword, expected: name, message: `${path} is required${because}` };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(p.additionalProperty ?? p.unevaluatedProperty);
      const path = `${at}/${escapeToken(name)}`;
      const props = e.parentSchema && typeof e.parentSchema === 'object' ? Object.keys((e.parentSchema as { properties?: object }).properties ?? {}) : [];
      const allowed = props.length > 0 ? ` (allowed: ${props.join(', ')})` : '';
      return { path, rule: e.keyword, expected: props, message: `${path} is not allowed${allowed}` };
    }
    case 'enum': {
      const values = p.allowedValues as unknown[];
      return { path: at, rule: 'enum', expected: values, message: `${where(at)} must be one of ${values.map(show).join(', ')} (got ${show(got)})` };
    }
    case 'const':
      return { path: at, rule: 'const', expected: p.allowedValue, message: `${where(at)} must be ${show(p.allowedValue)} (got ${show(got)})` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: at, rule: e.keyword, expected: p.limit, message: `${where(at)} must be ${String(p.comparison)} ${String(p.limit)} (got ${show(got)})` };
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const unit = e.keyword.endsWith('Length') ? 'characters' : e.keyword.endsWith('Items') ? 'items' : 'properties';
      const size = typeof got === 'string' ? [...got].length : Array.isArray(got) ? got.length : got && typeof got === 'object' ? Object.keys(got).length : 0;
      const bound = e.keyword.startsWith('min') ? 'at least' : 'at most';
      return { path: at, rule: e.keyword, expected: p.limit, message: `${where(at)} must have ${bound} ${String(p.limit)} ${unit} (got ${size})` };
    }
    case 'pattern':
      return { path: at, rule: 'pattern', expected: p.pattern, message: `${where(at)} must match ${String(p.pattern)} (got ${show(got)})` };
    case 'format':
      return { path: at, rule: 'format', expected: p.format, message: `${where(at)} must be a valid ${String(p.format)} (got ${show(got)})` };
    case 'multipleOf':
      return { path: at, rule: 'multipleOf', expected: p.multipleOf, message: `${where(at)} must be a multiple of ${String(p.multipleOf)} (got ${show(got)})` };
    case 'uniqueItems':
      return {
        path: at,
        rule: 'uniqueItems',
        expected: true,
        message: `${where(at)} must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)`,
      };
    case 'false schema':
      return { path: at, rule: 'false schema', message: `${where(at)} is not allowed here` };
    default:
      return {
        path: at,
        rule: e.keyword,
        ...(e.schema !== undefined && typeof e.schema !== 'object' ? { expected: e.schema } : {}),
        message: `${where(at)} ${e.message ?? `fails ${e.keyword}`}`,
      };
  }
}

/** Ajv errors as violation details, de-duplicated and capped at {@link MAX_DETAILS}; `total` counts them all. */
export function detailsOf(errors: readonly ErrorObject[]): { details: ViolationDetail[]; total: number } {
  const seen = new Set<string>();
  const all: ViolationDetail[] = [];
  for (const e of errors) {
    const d = detailOf(e);
    const key = `${d.path}\u0000${d.rule}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push(d);
  }
  return { details: all.slice(0, MAX_DETAILS), total: all.length };
}

/** The result for a payload that failed its schema. */
export function payloadViolation(ch: string, type: string, errors: readonly ErrorObject[]): ViolationResult {
  const { details, total } = detailsOf(errors);
  const shown = details
    .slice(0, MAX_IN_MESSAGE)
    .map((d) => d.message)
    .join('; ');
  const more = total > MAX_IN_MESSAGE ? `; and ${total - MAX_IN_MESSAGE} more` : '';
  return { message: `${ch}/${type}: ${shown}${more}`, details };
}

/** The result for a message type the channel's contract does not declare. */
export function unknownTypeViolation(ch: string, type: string, accepted: readonly string[]): ViolationResult {
  const text =
    accepted.length === 0
      ? `the contract of ${ch} declares no message types, so nothing can be published to it; add the message to the channel's contract`
      : `unknown message type "${type}"; ${ch} accepts ${accepted.map((t) => `"${t}"`).join(', ')}`;
  return { message: `${ch}/${type}: ${text}`, details: [{ path: '', rule: 'type', expected: [...accepted], message: text }] };
}

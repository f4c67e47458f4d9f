/** One compared field of a checked message: what the flow expected there and what arrived. */
export interface FieldCheck {
  /** JSON pointer into the message data (`""` for the whole value). */
  field: string;
  expected: string;
  actual: string;
  pass: boolean;
}

const OPERATORS = ['$type', '$regex', '$exists', '$gt', '$gte', '$lt', '$lte', '$ne'];

/** Short JSON text of a value, for reports. */
export function show(v: unknown, max = 80): string {
  if (v === undefined) return '(absent)';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  return typeof v;
}

function isMatcher(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => OPERATORS.includes(k));
}

function esc(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function matcherPasses(m: Record<string, unknown>, actual: unknown): boolean {
  for (const [op, arg] of Object.entries(m)) {
    const n = actual as number;
    switch (op) {
      case '$type': {
        const t = typeOf(actual);
        if (!(t === arg || (arg === 'number' && t === 'integer'))) return false;
        break;
      }
      case '$regex':
        if (typeof actual !== 'string' || !new RegExp(String(arg)).test(actual)) return false;
        break;
      case '$exists':
        if ((actual !== undefined) !== Boolean(arg)) return false;
        break;
      case '$gt':
        if (!(typeof actual === 'number' && n > (arg as number))) return false;
        break;
      case '$gte':
        if (!(typeof actual === 'number' && n >= (arg as number))) return false;
        break;
      case '$lt':
        if (!(typeof actual === 'number' && n < (arg as number))) return false;
        break;
      case '$lte':
        if (!(typeof actual === 'number' && n <= (arg as number))) return false;
        break;
      case '$ne':
        if (JSON.stringify(actual) === JSON.stringify(arg)) return false;
        break;
    }
  }
  return true;
}

/**
 * Compares `actual` with a partial `expected`: every key of an expected object must match in the actual object
 * (extra actual keys are fine), arrays match item by item and must have the same length, other values must be
 * equal. An object made only of operators (`$type`, `$regex`, `$exists`, `$gt`, `$gte`, `$lt`, `$lte`, `$ne`)
 * tests the value instead. Returns one check per compared leaf.
 */
export function matchPartial(expected: unknown, actual: unknown, path = ''): FieldCheck[] {
  if (isMatcher(expected)) return [{ field: path, expected: show(expected), actual: show(actual), pass: matcherPasses(expected, actual) }];
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return [{ field: path, expected: 'an object', actual: show(actual), pass: false }];
    }
    const entries = Object.entries(expected);
    if (entries.length === 0) return [{ field: path, expected: 'an object', actual: 'an object', pass: true }];
    return entries.flatMap(([k, v]) => matchPartial(v, (actual as Record<string, unknown>)[k], `${path}/${esc(k)}`));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [
        { field: path, expected: `an array of ${expected.length}`, actual: Array.isArray(actual) ? `an array of ${actual.length}` : show(actual), pass: false },
      ];
    }
    return expected.flatMap((v, i) => matchPartial(v, actual[i], `${path}/${i}`));
  }
  return [{ field: path, expected: show(expected), actual: show(actual), pass: JSON.stringify(expected) === JSON.stringify(actual) }];
}

/** True when every check passed. */
export function allPass(checks: FieldCheck[]): boolean {
  return checks.every((c) => c.pass);
}

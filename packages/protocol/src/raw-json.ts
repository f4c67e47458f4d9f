/**
 * Source text of JSON values, so that a payload can be stored and forwarded exactly as its publisher wrote it
 * (a 64-bit integer or a 20-digit decimal survives; `JSON.parse` + `JSON.stringify` would round it to a double).
 */

/** The members of a `pub`, `req` or `reply` frame (and of an envelope) whose text is kept as the publisher wrote it. */
export const PAYLOAD_MEMBERS = ['data', 'meta'] as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * The source text of the values of the top-level members `keys` of the JSON object `text`, for example
 * `rawMembers('{"op":"pub","data": {"id": 1764749280343123457}}', ['data'])` gives
 * `{ data: '{"id": 1764749280343123457}' }`. A key that occurs twice gives its last value, as `JSON.parse` does;
 * an absent key is absent from the result. Escaped keys (`"d\u0061ta"`) are matched by what they decode to.
 *
 * `text` must be text that `JSON.parse` accepted as an object; for anything else the result is `undefined`
 * (never a throw), but no other validation is done.
 */
export function rawMembers<K extends string>(text: string, keys: readonly K[]): Partial<Record<K, string>> | undefined {
  const n = text.length;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const out: Partial<Record<K, string>> = {};
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return out;
  while (i < n) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const key = memberName(text, i, keyEnd);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    if ((keys as readonly string[]).includes(key)) out[key as K] = text.slice(start, end);
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return out;
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}

/**
 * `objectText` (the text of a JSON object) with the member `"key": valueText` added at its end, the rest of the
 * text unchanged: `withMember('{"a": 1}', 'dlq', '{"x":2}')` is `'{"a": 1,"dlq":{"x":2}}'`. The caller makes sure
 * the object has no member `key` already (JSON parsers disagree about duplicate keys). `undefined` when
 * `objectText` does not end with `}` (after white space).
 */
export function withMember(objectText: string, key: string, valueText: string): string | undefined {
  let end = objectText.length - 1;
  while (end >= 0 && isSpace(objectText.charCodeAt(end))) end--;
  if (end < 1 || objectText.charCodeAt(end) !== CLOSE_BRACE) return undefined;
  let last = end - 1;
  while (last >= 0 && isSpace(objectText.charCodeAt(last))) last--;
  if (last < 0) return undefined;
  const member = JSON.stringify(key) + ':' + valueText;
  const empty = objectText.charCodeAt(last) === OPEN_BRACE;
  return objectText.slice(0, last + 1) + (empty ? '' : ',') + member + objectText.slice(end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string whose opening quote is at `i`; -1 when unterminated. */
function stringEnd(text: string, i: number): number {
  let q = text.indexOf('"', i + 1);
  while (q > 0) {
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    // An even number of backslashes before the quote: they escape each other, not the quote.
    if ((q - 1 - b) % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

/** The decoded name of the key string `text[start, end)` (quotes included). */
function memberName(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  if (!inner.includes('\\')) return inner;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return inner;
  }
}

/** Index just past the JSON value starting at `i` (no leading white space); -1 when it does not end. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return containerEnd(text, i);
  // A number, true, false or null: runs up to the next delimiter.
  const n = text.length;
  let j = i;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

/** Index just past the object or array opening at `i`: depth is counted outside strings only. */
function containerEnd(text: string, i: number): number {
  const n = text.length;
  let depth = 0;
  let j = i;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = stringEnd(text, j);
      if (j < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return j + 1;
    }
    j++;
  }
  return -1;
}

/**
 * Source text of JSON values, so that a payload can be stored and forwarded exactly as its publisher wrote it
 * (a 64-bit integer or a 20-digit decimal survives; `JSON.parse` + `JSON.stringify` would round it to a double).
 */

/** The members of a `pub`, `req` or `reply` frame (and of an envelope) whose text is kept as the publisher wrote it. */
export const PAYLOAD_MEMBERS = ['data', 'meta'] as const;

/**
 * Deepest nesting of objects and arrays the hub accepts in `data` and `meta`: parsers in other languages recurse
 * (Python's `json` stops near 1,000 levels), so a deeper payload would reach consumers that cannot read it.
 */
export const MAX_PAYLOAD_DEPTH = 1000;

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
    const key = wantedKey(text, i, keyEnd, keys);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    if (key !== undefined) out[key] = text.slice(start, end);
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

/**
 * `objectText` (the text of a JSON object) without its top-level member `key`, the rest of the text as written:
 * `withoutMember('{"a": 1,"dlq":{"x":2}}', 'dlq')` is `'{"a": 1}'`, the undoing of {@link withMember}. A member
 * is cut with the comma before it (the comma after it when it is the first). Every occurrence of `key` goes. The
 * text as it is when it has no such member; `undefined` when `objectText` is not the text of a JSON object.
 */
export function withoutMember(objectText: string, key: string): string | undefined {
  const text = objectText;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  /** [start, end) of each member: key to end of value. */
  const members: { start: number; end: number; drop: boolean }[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) !== CLOSE_BRACE) {
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0) return undefined;
      const colon = skipSpace(text, keyEnd);
      if (text.charCodeAt(colon) !== COLON) return undefined;
      const end = valueEnd(text, skipSpace(text, colon + 1));
      if (end < 0) return undefined;
      members.push({ start: i, end, drop: wantedKey(text, i, keyEnd, [key]) !== undefined });
      i = skipSpace(text, end);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) return undefined;
      i = skipSpace(text, i + 1);
    }
  }
  if (!members.some((m) => m.drop)) return text;
  let out = '';
  let from = 0;
  let keptBefore: { end: number } | undefined;
  for (let k = 0; k < members.length; k++) {
    const m = members[k]!;
    if (!m.drop) {
      keptBefore = m;
      continue;
    }
    // Cut from the end of the previous kept member (its comma goes), or, when none is kept before it, up to the
    // start of the next member (the comma after it goes).
    const cutFrom = keptBefore ? keptBefore.end : m.start;
    const next = members[k + 1];
    const cutTo = keptBefore || !next ? m.end : next.start;
    if (cutFrom >= from) out += text.slice(from, cutFrom);
    from = Math.max(from, cutTo);
  }
  return out + text.slice(from);
}

/** Whether the JSON value `valueText` nests objects and arrays more than `max` levels deep. */
export function nestedDeeperThan(valueText: string, max: number): boolean {
  // Each level opens with a character of its own: a text of at most `max` characters cannot nest deeper.
  if (valueText.length <= max) return false;
  const i = skipSpace(valueText, 0);
  const c = valueText.charCodeAt(i);
  return (c === OPEN_BRACE || c === OPEN_BRACKET) && containerEnd(valueText, i, max) === TOO_DEEP;
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

/** Which of `keys` the key string `text[start, end)` (quotes included) names, compared in place unless escaped. */
function wantedKey<K extends string>(text: string, start: number, end: number, keys: readonly K[]): K | undefined {
  let escaped = false;
  for (let k = start + 1; k < end - 1 && !escaped; k++) escaped = text.charCodeAt(k) === BACKSLASH;
  let name: string | undefined;
  if (escaped) {
    try {
      name = JSON.parse(text.slice(start, end)) as string;
    } catch {
      return undefined;
    }
  }
  for (const key of keys) {
    if (name !== undefined ? name === key : end - start - 2 === key.length && text.startsWith(key, start + 1)) return key;
  }
  return undefined;
}

/** Index just past the JSON value starting at `i` (no leading white space); -1 when it does not end. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return containerEnd(text, i, Infinity);
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

/**
 * The next quote, brace or bracket. A regular expression finds it several times faster than a loop over the
 * characters in between (digits, commas, white space). Only `lastIndex` changes, set before each use.
 */
const STRUCTURAL = /["{}[\]]/g;

/** Characters looked at one by one before the scan of a container switches to {@link STRUCTURAL}. */
const SHORT = 128;

/** What {@link containerEnd} returns for a container nested deeper than its `maxDepth`. */
const TOO_DEEP = -2;

/**
 * Index just past the object or array opening at `i` (depth is counted outside strings only); -1 when it does not
 * end, {@link TOO_DEEP} when it nests deeper than `maxDepth`.
 */
function containerEnd(text: string, i: number, maxDepth: number): number {
  // Short containers (most payloads): a loop, without the regular expression's match objects.
  let depth = 0;
  let j = i;
  const stop = Math.min(text.length, i + SHORT);
  while (j < stop) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = stringEnd(text, j);
      if (j < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return TOO_DEEP;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return j + 1;
    }
    j++;
  }
  STRUCTURAL.lastIndex = j;
  for (let m = STRUCTURAL.exec(text); m !== null; m = STRUCTURAL.exec(text)) {
    const j = m.index;
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      const end = stringEnd(text, j);
      if (end < 0) return -1;
      STRUCTURAL.lastIndex = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return TOO_DEEP;
    } else if (--depth === 0) return j + 1;
  }
  return -1;
}

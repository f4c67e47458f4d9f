const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration into milliseconds. Accepts a non-negative number of milliseconds, a string of digits
 * (milliseconds), or numbers with units `ms`, `s`, `m`, `h`, `d`, alone or combined: `'500ms'`, `'30s'`, `'5m'`,
 * `'2h'`, `'7d'`, `'1h30m'`. Throws a `RangeError` that says what to write instead.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new RangeError(`invalid duration ${text}: use a non-negative number of milliseconds or a string such as "30s", "5m", "7d"`);
  }
  if (typeof text !== 'string') {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}: use a number of milliseconds or a string such as "30s", "5m", "7d"`);
  }
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    pos = part.lastIndex;
  }
  if (s.length === 0 || pos !== s.length || !Number.isFinite(total)) {
    throw new RangeError(
      `invalid duration "${text}": write a number with a unit ms, s, m, h or d (e.g. "500ms", "30s", "5m", "2h", "7d", "1h30m") or a number of milliseconds`,
    );
  }
  return total;
}

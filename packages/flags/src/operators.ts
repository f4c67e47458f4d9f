import semver from 'semver';

/** flagd's `starts_with`: true when the first string starts with the second; null for anything but two strings. */
export function startsWith(...args: unknown[]): unknown {
  if (args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') return null;
  return args[0].startsWith(args[1]);
}

/** flagd's `ends_with`: as {@link startsWith}, at the end. */
export function endsWith(...args: unknown[]): unknown {
  if (args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') return null;
  return args[0].endsWith(args[1]);
}

const COMPARE: Record<string, (a: string, b: string) => boolean> = {
  '=': (a, b) => semver.eq(a, b),
  '!=': (a, b) => semver.neq(a, b),
  '<': (a, b) => semver.lt(a, b),
  '<=': (a, b) => semver.lte(a, b),
  '>': (a, b) => semver.gt(a, b),
  '>=': (a, b) => semver.gte(a, b),
  '^': (a, b) => semver.major(a) === semver.major(b),
  '~': (a, b) => semver.major(a) === semver.major(b) && semver.minor(a) === semver.minor(b),
};

/**
 * flagd's `sem_ver`: `[version, operator, version]` with `=`, `!=`, `<`, `<=`, `>`, `>=`, `^` (same major), `~`
 * (same major and minor). A `v` prefix and missing minor or patch are accepted (`v1.2` is 1.2.0), numbers are read as
 * their text, build metadata is ignored; anything else answers null.
 */
export function semVer(...args: unknown[]): unknown {
  if (args.length !== 3 || typeof args[1] !== 'string') return null;
  const compare = COMPARE[args[1]];
  const a = version(args[0]);
  const b = version(args[2]);
  if (!compare || a === null || b === null) return null;
  return compare(a, b);
}

function version(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  let s = String(v).trim().replace(/^[vV]/, '');
  if (/^\d+$/.test(s)) s += '.0.0';
  else if (/^\d+\.\d+$/.test(s)) s += '.0';
  const parsed = semver.parse(s);
  return parsed === null ? null : parsed.version;
}

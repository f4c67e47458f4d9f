/**
 * Channel names and patterns.
 *
 * A channel name is one or more segments separated by `.`; a segment is 1+ of `A-Z a-z 0-9 _ - : @ /`.
 * Names starting with `$` are reserved for the hub (`$dlq.<ch>` is the dead-letter log of `<ch>`):
 * they can be read and subscribed to, never published to.
 * In a pattern, a segment `*` matches exactly one segment and a last segment `>` matches one or more.
 */

const SEGMENT = /^[A-Za-z0-9_\-:@/]+$/;
/** A whole valid, non-reserved name in one test (the per-segment checks below only explain a refusal). */
const NAME = /^[A-Za-z0-9_\-:@/]+(?:\.[A-Za-z0-9_\-:@/]+)*$/;

/** Prefix of a channel's dead-letter log. */
export const DLQ_PREFIX = '$dlq.';

/**
 * Prefix of the hub's event channels (`$sys.components`, `$sys.violations`, `$sys.alerts`): ephemeral, published
 * by the hub itself, and open to subscribers whose token has `"sb.admin": true` (anyone in dev mode).
 */
export const SYS_PREFIX = '$sys.';

/** The dead-letter log of a channel. */
export function dlqChannel(ch: string): string {
  return DLQ_PREFIX + ch;
}

/** Why `name` is not a valid concrete channel name, or `undefined` when it is. */
export function channelNameProblem(name: unknown, maxLength = 256, allowReserved = false): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a channel name must be a non-empty string';
  if (name.length > maxLength) return `a channel name must be at most ${maxLength} characters`;
  if (NAME.test(name)) return undefined;
  let body = name;
  if (name.startsWith('$')) {
    if (!allowReserved)
      return `channel names starting with "$" are reserved for the hub; publish to "${name.replace(/^\$[^.]*\.?/, '') || 'another channel'}" instead`;
    body = name.slice(1);
  }
  for (const seg of body.split('.')) {
    if (seg === '*' || seg === '>') return 'wildcards (* and >) are allowed only when subscribing';
    if (!SEGMENT.test(seg)) return `segment "${seg}" of "${name}" is empty or has a character outside A-Z a-z 0-9 _ - : @ /`;
  }
  return undefined;
}

/** Why `pattern` is not a valid subscription pattern, or `undefined` when it is. */
export function channelPatternProblem(pattern: unknown, maxLength = 256): string | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'a channel pattern must be a non-empty string';
  if (pattern.length > maxLength) return `a channel pattern must be at most ${maxLength} characters`;
  const body = pattern.startsWith('$') ? pattern.slice(1) : pattern;
  const segs = body.split('.');
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg === '*') continue;
    if (seg === '>') {
      if (i !== segs.length - 1) return '">" may only be the last segment of a pattern';
      continue;
    }
    if (!SEGMENT.test(seg)) return `segment "${seg}" of "${pattern}" is empty or has a character outside A-Z a-z 0-9 _ - : @ /`;
  }
  return undefined;
}

/** True when the pattern has a wildcard segment. */
export function isPattern(pattern: string): boolean {
  return pattern === '*' || pattern === '>' || pattern.includes('.*') || pattern.includes('.>') || pattern.startsWith('*.') || pattern.startsWith('>');
}

/** True when the concrete channel `name` matches `pattern` (`*` one segment, trailing `>` one or more). */
export function matchChannel(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const p = pattern.split('.');
  const n = name.split('.');
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg === '>') return n.length > i;
    if (i >= n.length) return false;
    if (seg !== '*' && seg !== n[i]) return false;
    if (seg === '*' && n[i]!.startsWith('$')) return false;
  }
  return p.length === n.length;
}

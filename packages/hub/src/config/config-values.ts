import { parseDuration } from '@switchboard/contracts';

/** Error in a configuration file, naming the place and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Whether `v` is a mapping (a plain object, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** The value checked, or a ConfigError naming `where`. */
export function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${where} must be a non-empty string`);
  return v;
}
/** The value checked, or a ConfigError naming `where`. */
export function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${where} must be true or false`);
  return v;
}
/** The value checked, or a ConfigError naming `where`. */
export function posInt(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConfigError(`${where} must be a whole number above 0, not ${JSON.stringify(v)}`);
  return v;
}
/**
 * A number without a unit below this is refused for a duration key: it means milliseconds, and `ack_timeout: 10`
 * (10 ms) is far more often a slip for 10 s than a wish — it redelivers at once and fills the dead-letter log.
 */
export const UNITLESS_DURATION_FLOOR_MS = 1000;

/** The duration in ms, or a ConfigError naming `where` (also for a bare number below {@link UNITLESS_DURATION_FLOOR_MS}). */
export function dur(v: unknown, where: string): number {
  let ms: number;
  try {
    ms = parseDuration(v as string | number);
    if (!(ms > 0)) throw new Error('must be above 0');
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}; write a duration like 500ms, 30s, 5m, 2h or 7d`);
  }
  const unitless = typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v));
  if (unitless && ms < UNITLESS_DURATION_FLOOR_MS) {
    const n = String(v).trim();
    throw new ConfigError(
      `${where}: ${n} has no unit, and a number without one means milliseconds (${n} ms); write ${n}s for seconds, or ${n}ms if you mean milliseconds (a bare number must be at least ${UNITLESS_DURATION_FLOOR_MS})`,
    );
  }
  return ms;
}

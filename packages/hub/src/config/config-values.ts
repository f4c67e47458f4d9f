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
/** The value checked, or a ConfigError naming `where`. */
export function dur(v: unknown, where: string): number {
  try {
    const ms = parseDuration(v as string | number);
    if (!(ms > 0)) throw new Error('must be above 0');
    return ms;
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}; write a duration like 500ms, 30s, 5m, 2h or 7d`);
  }
}

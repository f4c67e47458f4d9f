import jsonLogic from 'json-logic-js';
import type { EvaluationContext, FlagDefinition, FlagSet, FlagType, FlagValue, Resolution } from './flag-types.js';
import { fractional } from './murmur-fractional.js';
import { endsWith, semVer, startsWith } from './operators.js';

// json-logic-js keeps one table of operations; flagd's operators are added to it once (the same functions each time).
jsonLogic.add_operation('fractional', fractional);
jsonLogic.add_operation('starts_with', startsWith);
jsonLogic.add_operation('ends_with', endsWith);
jsonLogic.add_operation('sem_ver', semVer);

/** Options of {@link evaluateFlag}. */
export interface EvaluateOptions {
  /** Shared JSON Logic that targeting names with `{"$ref": "<name>"}` (a flag set's `$evaluators`). */
  evaluators?: Record<string, unknown>;
  /** The time of `$flagd.timestamp`, in epoch ms (default now). */
  now?: number;
}

/**
 * Evaluates flag `key` (undefined when there is no such flag) for `context`, as flagd does: a disabled flag or one
 * without a default variant answers `fallback`; targeting (JSON Logic with flagd's `fractional`, `sem_ver`,
 * `starts_with`, `ends_with`, and `$flagd.flagKey`, `$flagd.timestamp` in the data) picks a variant by name; a value
 * not of `type` is a `TYPE_MISMATCH`. Never throws: errors are in the resolution, with `fallback` as the value.
 */
export function evaluateFlag<T extends FlagValue>(
  key: string,
  flag: FlagDefinition | undefined,
  type: FlagType | undefined,
  fallback: T,
  context: EvaluationContext = {},
  options: EvaluateOptions = {},
): Resolution<T> {
  if (!flag) return error(fallback, 'FLAG_NOT_FOUND', `flag "${key}" does not exist`);
  const flagMetadata = flag.metadata && Object.keys(flag.metadata).length > 0 ? { flagMetadata: flag.metadata } : {};
  if (flag.state === 'DISABLED') return { value: fallback, reason: 'DISABLED', ...flagMetadata };
  const byDefault = (reason: 'STATIC' | 'DEFAULT'): Resolution<T> => {
    const name = flag.defaultVariant;
    if (name === undefined || name === null) return { value: fallback, reason: 'DEFAULT', ...flagMetadata };
    return pick(name, reason);
  };
  const pick = (name: string, reason: 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH'): Resolution<T> => {
    if (!Object.hasOwn(flag.variants, name)) return error(fallback, 'GENERAL', `flag "${key}" has no variant "${name}"`, flagMetadata);
    const value = flag.variants[name]!;
    if (type !== undefined && typeOf(value) !== type)
      return error(fallback, 'TYPE_MISMATCH', `flag "${key}" is a ${typeOf(value)} flag, not a ${type} flag`, flagMetadata);
    return { value: value as T, variant: name, reason, ...flagMetadata };
  };
  const targeting = flag.targeting;
  if (targeting === undefined || targeting === null || (isObject(targeting) && Object.keys(targeting).length === 0)) return byDefault('STATIC');
  let logic: unknown;
  try {
    logic = resolveRefs(targeting, options.evaluators ?? {});
  } catch (err) {
    return error(fallback, 'PARSE_ERROR', `flag "${key}": ${(err as Error).message}`, flagMetadata);
  }
  let result: unknown;
  try {
    const data = { ...context, $flagd: { flagKey: key, timestamp: Math.floor((options.now ?? Date.now()) / 1000) } };
    result = jsonLogic.apply(logic as Parameters<typeof jsonLogic.apply>[0], data);
  } catch (err) {
    return error(fallback, 'PARSE_ERROR', `flag "${key}": the targeting does not evaluate: ${(err as Error).message}`, flagMetadata);
  }
  if (result === null || result === undefined) return byDefault('DEFAULT');
  if (typeof result === 'boolean' || typeof result === 'number') result = String(result);
  if (typeof result !== 'string')
    return error(fallback, 'GENERAL', `flag "${key}": the targeting returned ${JSON.stringify(result)}, not a variant name`, flagMetadata);
  return pick(result, 'TARGETING_MATCH');
}

/** Evaluates `key` of a whole flag set (its `$evaluators` shared). */
export function evaluate<T extends FlagValue>(
  set: FlagSet,
  key: string,
  type: FlagType | undefined,
  fallback: T,
  context?: EvaluationContext,
  now?: number,
): Resolution<T> {
  const flag = Object.hasOwn(set.flags, key) ? set.flags[key] : undefined;
  return evaluateFlag(key, flag, type, fallback, context, { evaluators: set.$evaluators ?? {}, ...(now !== undefined ? { now } : {}) });
}

/** The flag type of a value. */
export function typeOf(v: unknown): FlagType | 'invalid' {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  return isObject(v) ? 'object' : 'invalid';
}

function resolveRefs(logic: unknown, evaluators: Record<string, unknown>, depth = 0): unknown {
  if (depth > 32) throw new Error('$ref nests more than 32 deep (a cycle?)');
  if (Array.isArray(logic)) return logic.map((x) => resolveRefs(x, evaluators, depth));
  if (!isObject(logic)) return logic;
  const keys = Object.keys(logic);
  if (keys.length === 1 && keys[0] === '$ref') {
    const name = logic.$ref;
    if (typeof name !== 'string' || !Object.hasOwn(evaluators, name)) throw new Error(`no shared evaluator ${JSON.stringify(name)} for its $ref`);
    return resolveRefs(evaluators[name], evaluators, depth + 1);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = resolveRefs(logic[k], evaluators, depth);
  return out;
}

function error<T>(value: T, errorCode: Resolution['errorCode'] & string, errorMessage: string, extra: object = {}): Resolution<T> {
  return { value, reason: 'ERROR', errorCode, errorMessage, ...extra };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

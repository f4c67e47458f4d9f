export type { FlagDefinition, FlagSet, FlagType, FlagValue, EvaluationContext, Resolution, ResolutionReason, ResolutionErrorCode } from './flag-types.js';
export { evaluate, evaluateFlag, typeOf, type EvaluateOptions } from './evaluate.js';
export { fractional, bucketValue } from './murmur-fractional.js';
export { checkFlag, FLAG_KEY_PATTERN } from './check-flag.js';

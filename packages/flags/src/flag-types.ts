/** A variant's value: boolean, string, number or a JSON object (arrays and null are not flag values). */
export type FlagValue = boolean | string | number | { [key: string]: unknown };

/**
 * One flag, as flagd defines it (https://flagd.dev/reference/flag-definitions/): its variants, the one served by
 * default, and JSON Logic targeting that picks a variant from the evaluation context.
 */
export interface FlagDefinition {
  /** `DISABLED`: every evaluation answers the caller's default with reason `DISABLED`. */
  state: 'ENABLED' | 'DISABLED';
  /** Variant name → value; all of one type. */
  variants: Record<string, FlagValue>;
  /** The variant served when targeting is absent or returns null; null or absent: the caller's default. */
  defaultVariant?: string | null;
  /** JSON Logic evaluated against the context; it returns a variant name (or null for the default). */
  targeting?: unknown;
  /** Free-form facts about the flag, returned with each evaluation. */
  metadata?: Record<string, string | number | boolean>;
}

/** Several flags, and shared JSON Logic pieces that targeting names with `{"$ref": "<name>"}`. */
export interface FlagSet {
  flags: Record<string, FlagDefinition>;
  $evaluators?: Record<string, unknown>;
}

/** What an evaluation knows of its subject: `targetingKey` (the user, the account, …) and any attributes. */
export type EvaluationContext = Record<string, unknown> & { targetingKey?: string };

/** Why an evaluation gave its value (the OpenFeature reasons). */
export type ResolutionReason = 'STATIC' | 'TARGETING_MATCH' | 'DEFAULT' | 'DISABLED' | 'ERROR';

/** The OpenFeature error codes an evaluation can give. */
export type ResolutionErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TYPE_MISMATCH' | 'GENERAL';

/** The type a caller asks for. */
export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/** The outcome of one evaluation, as OpenFeature's resolution details. */
export interface Resolution<T = FlagValue> {
  value: T;
  variant?: string;
  reason: ResolutionReason;
  errorCode?: ResolutionErrorCode;
  errorMessage?: string;
  flagMetadata?: Record<string, string | number | boolean>;
}

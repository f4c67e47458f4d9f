import type { ErrorCode, ResolutionDetails, ResolutionReason } from '@openfeature/core';
import type { Resolution } from '@switchboard/flags';

/** Where flags live: the shared document `flags/<key>`. */
export const FLAG_DOC_PREFIX = 'flags/';

/** An evaluation of `@switchboard/flags` as OpenFeature resolution details (the same in the server and web SDKs). */
export function resolutionDetails<T>(r: Resolution<T>): ResolutionDetails<T> {
  return {
    value: r.value,
    reason: r.reason as ResolutionReason,
    ...(r.variant !== undefined ? { variant: r.variant } : {}),
    ...(r.flagMetadata !== undefined ? { flagMetadata: r.flagMetadata } : {}),
    ...(r.errorCode !== undefined ? { errorCode: r.errorCode as ErrorCode, errorMessage: r.errorMessage } : {}),
  };
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContractLoadError } from '../src/index.js';

/** Absolute path of a fixture under test/fixtures. */
export function fixture(rel: string): string {
  return fileURLToPath(new URL(`./fixtures/${rel}`, import.meta.url));
}

/** The shared AsyncAPI examples (`/work/shared/asyncapi-examples`), or undefined when this checkout has none. */
export const sharedExamples: string | undefined = (() => {
  const dir = fileURLToPath(new URL('../../../../shared/asyncapi-examples', import.meta.url));
  return existsSync(dir) ? dir : undefined;
})();

/** Runs `fn`, expects a ContractLoadError, returns it. */
export function loadError(fn: () => unknown): ContractLoadError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ContractLoadError) return e;
    throw e;
  }
  throw new Error('expected a ContractLoadError, but loading succeeded');
}

/** Same as {@link loadError} for an async loader. */
export async function loadErrorAsync(fn: () => Promise<unknown>): Promise<ContractLoadError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ContractLoadError) return e;
    throw e;
  }
  throw new Error('expected a ContractLoadError, but loading succeeded');
}

/** A minimal AsyncAPI 3 document with one channel, for inline tests. */
export function oneChannel(channelYaml: string, extra = ''): string {
  return `asyncapi: 3.0.0
info:
  title: test
  version: 1.0.0
channels:
${channelYaml}
${extra}`;
}

import { fileURLToPath } from 'node:url';
import { ContractLoadError } from '../src/index.js';

/** Absolute path of a fixture under test/fixtures. */
export function fixture(rel: string): string {
  return fileURLToPath(new URL(`./fixtures/${rel}`, import.meta.url));
}

/** The official AsyncAPI 3 examples, vendored under test/fixtures/asyncapi-examples (see its README). */
export const officialExamples: string = fixture('asyncapi-examples');

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

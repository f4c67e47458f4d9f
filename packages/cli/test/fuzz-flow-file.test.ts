// Bad input at volume for the flow-file loader: random YAML-ish text and random flow-shaped documents are either a
// flow or a FlowFileError listing problems with a fix; nothing else is thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseFlow } from '../src/scenario/flow-file.js';
import { FlowFileError } from '../src/scenario/flow-errors.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

function parsesOrExplains(text: string): void {
  try {
    parseFlow('fuzz.yaml', text, {});
  } catch (err) {
    assert.ok(err instanceof FlowFileError, `${(err as Error).name}: ${(err as Error).message} for ${JSON.stringify(text)}`);
    assert.ok(err.message.length > 0);
  }
}

test('random text is a flow or a FlowFileError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), parsesOrExplains), { numRuns: RUNS });
});

test('random flow-shaped documents are a flow or a FlowFileError', () => {
  const v = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.integer({ min: -10, max: 1e6 }));
  const step = fc.dictionary(
    fc.constantFrom('publish', 'subscribe', 'expect', 'wait', 'request', 'http', 'run', 'await', 'repeat', 'id', 'as', 'channel', 'type', 'data', 'count'),
    v,
    { maxKeys: 4 },
  );
  const doc = fc.record(
    {
      name: v,
      hub: v,
      components: fc.oneof(fc.array(fc.dictionary(fc.constantFrom('name', 'token', 'version', 'component'), v, { maxKeys: 3 }), { maxLength: 3 }), v),
      steps: fc.oneof(fc.array(step, { maxLength: 4 }), v),
      targets: fc.oneof(fc.array(fc.dictionary(fc.constantFrom('step', 'metric', 'below_ms', 'at_least', 'channel'), v, { maxKeys: 3 }), { maxLength: 2 }), v),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(doc, (d) => parsesOrExplains(stringify(d))),
    { numRuns: RUNS },
  );
});

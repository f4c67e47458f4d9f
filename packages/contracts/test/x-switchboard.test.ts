import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContractDocuments } from '../src/index.js';
import { loadError, oneChannel } from './helpers.js';

const withExt = (ext: string) => [{ file: 'c.yaml', text: oneChannel(`  ticks:\n    address: market.ticks\n    x-switchboard:\n${ext}`) }];

test('a valid x-switchboard object is passed through unchanged', () => {
  const set = loadContractDocuments(withExt('      mode: durable\n      retention:\n        max_messages: 5000\n        max_age: 1h\n'));
  assert.deepEqual(set.channel('market.ticks')?.extensions, { mode: 'durable', retention: { max_messages: 5000, max_age: '1h' } });
  const ms = loadContractDocuments(withExt('      mode: ephemeral\n      retention: { max_age: 60000 }\n'));
  assert.deepEqual(ms.channel('market.ticks')?.extensions, { mode: 'ephemeral', retention: { max_age: 60000 } });
});

test('a channel without x-switchboard has {} as extensions', () => {
  const set = loadContractDocuments([{ file: 'c.yaml', text: oneChannel('  ticks:\n    address: market.ticks\n') }]);
  assert.deepEqual(set.channel('market.ticks')?.extensions, {});
});

const cases: Array<[string, string, string, RegExp]> = [
  ['not a mapping', '      - durable\n', '/channels/ticks/x-switchboard', /write it as a mapping/],
  ['an unknown mode', '      mode: persistent\n', '/channels/ticks/x-switchboard/mode', /set mode to durable or ephemeral/],
  ['an unknown key', '      mod: durable\n', '/channels/ticks/x-switchboard/mod', /use only mode, retention/],
  ['retention not a mapping', '      retention: 7d\n', '/channels/ticks/x-switchboard/retention', /max_messages/],
  ['an unknown retention key', '      retention: { max_bytes: 10 }\n', '/channels/ticks/x-switchboard/retention/max_bytes', /use only max_messages, max_age/],
  ['a fractional max_messages', '      retention: { max_messages: 1.5 }\n', '/channels/ticks/x-switchboard/retention/max_messages', /positive whole number/],
  ['a zero max_messages', '      retention: { max_messages: 0 }\n', '/channels/ticks/x-switchboard/retention/max_messages', /positive whole number/],
  ['a max_age that is not a duration', '      retention: { max_age: 7 days }\n', '/channels/ticks/x-switchboard/retention/max_age', /duration such as 7d/],
  ['a max_age of the wrong type', '      retention: { max_age: [7d] }\n', '/channels/ticks/x-switchboard/retention/max_age', /duration such as 7d/],
  ['a zero max_age', '      retention: { max_age: 0s }\n', '/channels/ticks/x-switchboard/retention/max_age', /above zero/],
];
for (const [what, ext, pointer, fix] of cases) {
  test(`x-switchboard with ${what} is a load error at its place`, () => {
    const err = loadError(() => loadContractDocuments(withExt(ext)));
    assert.equal(err.file, 'c.yaml');
    assert.equal(err.pointer, pointer);
    assert.ok(err.line !== undefined && err.line >= 7);
    assert.match(err.fix, fix);
  });
}

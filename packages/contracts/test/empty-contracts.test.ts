import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyContracts, loadContractDocuments, loadContracts } from '../src/index.js';

test('emptyContracts has no channels and accepts everything', () => {
  const set = emptyContracts();
  assert.deepEqual(set.channels(), []);
  assert.equal(set.channel('market.ticks'), undefined);
  assert.equal(set.validate('market.ticks', 'tick', 42), undefined);
  assert.deepEqual(set.sources, []);
  assert.deepEqual(set.warnings, []);
});

test('a directory without AsyncAPI documents gives an empty set; node_modules and dot-directories are skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-contracts-'));
  try {
    assert.deepEqual((await loadContracts(dir)).channels(), []);
    writeFileSync(join(dir, 'config.yaml'), 'port: 8080\n');
    writeFileSync(join(dir, 'data.json'), '[1, 2, 3]\n');
    writeFileSync(join(dir, 'notes.txt'), 'asyncapi: 2.0.0 (not read: wrong extension)\n');
    for (const skipped of ['node_modules', '.git']) {
      mkdirSync(join(dir, skipped));
      writeFileSync(join(dir, skipped, 'broken.yaml'), 'asyncapi: [\n');
    }
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'nested', 'deeper', 'empty.yml'), '');
    const set = await loadContracts(dir);
    assert.deepEqual(set.channels(), []);
    assert.deepEqual(set.sources, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('documents are found recursively', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-contracts-'));
  try {
    mkdirSync(join(dir, 'team-a'));
    writeFileSync(
      join(dir, 'team-a', 'orders.yml'),
      'asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n  o: { address: orders.new, messages: { created: {} } }\n',
    );
    const set = await loadContracts(dir);
    assert.deepEqual(set.sources, [join(dir, 'team-a', 'orders.yml')]);
    assert.deepEqual(set.channel('orders.new')?.messageTypes, ['created']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an AsyncAPI 3 document without channels loads', () => {
  assert.deepEqual(loadContractDocuments([{ file: 'c.yaml', text: 'asyncapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\n' }]).channels(), []);
});

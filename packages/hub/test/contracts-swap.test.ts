import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { SwitchboardError } from '@switchboard/protocol';
import { loadContractDocuments } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig } from '../src/index.js';

/** A contract for market.ticks whose payload requires `field`, spread over two files (channel, schema). */
function version(field: string) {
  const dir = `/contracts-${field}`;
  return loadContractDocuments([
    {
      file: `${dir}/market.yaml`,
      text: `asyncapi: 3.0.0
info: { title: market, version: 1.0.0 }
channels:
  ticks:
    address: market.ticks
    messages:
      tick: { payload: { $ref: './schemas.yaml#/Tick' } }
`,
    },
    { file: `${dir}/schemas.yaml`, text: `Tick: { type: object, required: [${field}], properties: { ${field}: { type: number } } }\n` },
  ]);
}

test('while reloads swap two contract versions, every publish is judged by one whole version, never a mix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-swap-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const versions = [version('a'), version('b')];
  let next = 0;
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const hub = createHub({
    config: { ...defaultConfig(), auth: { dev: true } },
    store,
    contracts: versions[0],
    logger: pino({ level: 'silent' }),
    contractSource: async () => ({ set: versions[++next % 2]!, problems: [] }),
  });
  after(() => hub.close());
  const seen = new Map<string, number>();
  let stop = false;
  const reloads = (async () => {
    while (!stop) {
      await hub.reloadContracts('test');
      await new Promise((r) => setImmediate(r));
    }
  })();
  const publishOne = async (i: number): Promise<void> => {
    const data = i % 2 === 0 ? {} : { a: 1, b: 2 };
    try {
      await hub.router.publish({ ch: 'market.ticks', type: 'tick', data, source: 'bridge' });
      seen.set('accepted', (seen.get('accepted') ?? 0) + 1);
    } catch (err) {
      assert.ok(err instanceof SwitchboardError && err.code === 'CONTRACT_VIOLATION', String(err));
      const paths = (err.details as Array<{ path: string }>).map((d) => d.path).join(',');
      seen.set(paths, (seen.get(paths) ?? 0) + 1);
    }
  };
  // Four publishers, each one message at a time, so that reloads land between their messages.
  const publishes = Array.from({ length: 4 }, async (_, w) => {
    for (let i = w; i < 400; i += 4) await publishOne(i);
  });
  await Promise.all(publishes);
  stop = true;
  await reloads;
  // A message with both fields passes either version; one with neither fails exactly one field: a or b.
  assert.equal(seen.get('accepted'), 200);
  assert.deepEqual([...seen.keys()].filter((k) => k !== 'accepted').sort(), ['/a', '/b'], JSON.stringify([...seen]));
  assert.equal(seen.get('/a')! + seen.get('/b')!, 200);
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { SwitchboardError } from '@switchboard/protocol';
import { openJetStreamStore } from '../src/store/jetstream/jetstream-store.js';
import type { AppendInput } from '../src/store/store.js';
import { storeConformance } from './store-conformance.js';
import { startNatsServer, type NatsServer } from '../../../test/support/nats-server.js';
import { waitFor } from '../../../test/support/util.js';

let nats: NatsServer;
before(async () => {
  nats = await startNatsServer();
});
after(async () => {
  await nats?.cleanup();
});

// Each test directory is a namespace of its own on the shared server; reopening the same directory reopens it.
storeConformance('jetstream', (dir, hints) =>
  openJetStreamStore({
    servers: nats.url,
    namespace: basename(dir).replace(/[^A-Za-z0-9_-]/g, '_'),
    dedupeWindowMs: hints?.dedupeWindowMs,
    logger: { warn: () => undefined },
  }),
);

describe('JetStream store', () => {
  it('rejects with UNAVAILABLE while NATS is down, and works again once it is back', async () => {
    const store = await openJetStreamStore({ servers: nats.url, namespace: 'outage', timeoutMs: 2000, logger: { warn: () => undefined } });
    try {
      assert.equal(store.kind, 'jetstream');
      assert.equal((await store.append('o', input(1))).seq, 1);
      await nats.stop();
      const unavailable = (err: unknown): boolean => err instanceof SwitchboardError && err.code === 'UNAVAILABLE';
      await waitFor(async () => await store.ping().then(() => false, unavailable), 'the store to answer UNAVAILABLE', { timeoutMs: 20_000, everyMs: 50 });
      await assert.rejects(store.append('o', input(2)), unavailable);
      await assert.rejects(store.read('o', 0, 10), unavailable);
      await nats.restart();
      await waitFor(
        async () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        'the store to answer again',
        { timeoutMs: 20_000, everyMs: 50 },
      );
      assert.equal((await store.append('o', input(3))).seq, 2, 'the refused append took no seq');
      assert.deepEqual(
        (await store.read('o', 0, 10)).map((m) => (JSON.parse(m.json) as { id: string }).id),
        ['id-1', 'id-3'],
      );
    } finally {
      await store.close();
    }
  });

  it('rejects opening with UNAVAILABLE when no NATS server answers', async () => {
    await assert.rejects(openJetStreamStore({ servers: 'nats://127.0.0.1:1', timeoutMs: 1000 }), (err: unknown) => {
      assert.ok(err instanceof SwitchboardError);
      assert.equal(err.code, 'UNAVAILABLE');
      assert.match(err.message, /nats-server/);
      return true;
    });
  });
});

function input(i: number): AppendInput {
  return { id: `id-${i}`, type: 'test', source: 'jetstream-test', ts: new Date(0).toISOString(), data: { i } };
}

// Feature flags on the JetStream store, across two hub nodes on a real nats-server: a flag written through one node
// is listed and evaluated over OFREP by the other, and an OpenFeature provider connected to the other node sees the
// change pushed across the cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { connect } from '@switchboard/client';
import { createNatsCluster, openJetStreamStore } from '@switchboard/hub/nats';
import { SwitchboardProvider } from '@switchboard/openfeature';
import { NO_NATS, startNatsServer, type NatsServer } from '../support/nats-server.js';
import { waitFor } from '../support/util.js';
import { startRolloutHub, type RolloutHub } from '../support/rollout-hub.js';

describe('flags on JetStream, two nodes', { skip: NO_NATS }, () => {
  let nats: NatsServer;
  const nodes: RolloutHub[] = [];
  before(async () => {
    nats = await startNatsServer();
    for (const nodeId of ['node-a', 'node-b']) {
      nodes.push(
        await startRolloutHub({
          nodeId,
          openStore: async () => {
            const store = await openJetStreamStore({ servers: [nats.url], namespace: 'fl', name: nodeId, logger: pino({ level: 'silent' }) });
            return { store, cluster: createNatsCluster(store.connection, store.names, pino({ level: 'silent' }), { nodeId }) };
          },
        }),
      );
    }
  });
  after(async () => {
    await OpenFeature.close();
    for (const n of nodes) await n.stop();
    await nats?.cleanup();
  });

  it('writes on one node, evaluates and pushes on the other', async () => {
    const [a, b] = nodes as [RolloutHub, RolloutHub];
    const editor = await connect({ url: a.ws, component: 'flag-editor', reconnect: false });
    const doc = await editor.doc('flags/search-v2');
    await doc.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } }]);

    const list = (await (await fetch(`${b.url}/v1/admin/flags`)).json()) as { flags: { key: string; version: number }[] };
    assert.deepEqual(
      list.flags.map((f) => [f.key, f.version]),
      [['search-v2', 1]],
    );
    const res = await fetch(`${b.url}/ofrep/v1/evaluate/flags/search-v2`, { method: 'POST', body: '{"context":{"targetingKey":"u1"}}' });
    assert.deepEqual(await res.json(), { key: 'search-v2', reason: 'STATIC', value: false, variant: 'off', metadata: {} });

    const provider = new SwitchboardProvider({ connect: { url: b.ws, component: 'search-api' }, flags: ['search-v2'] });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    assert.equal(await client.getBooleanValue('search-v2', true), false);
    let changed = 0;
    client.addHandler(ProviderEvents.ConfigurationChanged, () => changed++);
    await doc.update([{ op: 'replace', path: '/defaultVariant', value: 'on' }]);
    await waitFor(() => changed === 1, 'the change, made on node a, at the provider on node b');
    assert.equal(await client.getBooleanValue('search-v2', false), true);
    await doc.close();
    await editor.close();
  });
});

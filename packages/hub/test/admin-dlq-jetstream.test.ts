// Dead-letter replay on a cluster of two hub nodes sharing NATS JetStream: a replay on one node is seen by the
// other (the marks live in the store's KV), and the subscriber on the other node receives the message once.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { loadContracts } from '@switchboard/contracts';
import { createHub, defaultConfig, type Hub } from '../src/index.js';
import { createNatsCluster, openJetStreamStore } from '../src/nats.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { quietFor, subscribe } from '../../../test/support/hub-fixture.js';
import { startNatsServer, NO_NATS, type NatsServer } from '../../../test/support/nats-server.js';
import { contractsDir, ticks } from '../../../test/support/reload-contracts.js';

let nats: NatsServer | undefined;
const hubs: Hub[] = [];
const contracts = contractsDir(true);
before(async () => {
  if (NO_NATS) return;
  nats = await startNatsServer();
  for (const node of ['node-1', 'node-2']) {
    const store = await openJetStreamStore({ servers: nats.url, namespace: 'admin', logger: { warn: () => undefined } });
    const logger = pino({ level: 'silent' });
    const cluster = createNatsCluster(store.connection, store.names, logger);
    hubs.push(
      createHub({ config: { ...defaultConfig(), nodeId: node, auth: { dev: true } }, store, cluster, logger, contracts: await loadContracts(contracts.dir) }),
    );
  }
});
after(async () => {
  for (const h of hubs) await h.close();
  await nats?.cleanup();
});

/** The parts of a replay answer these tests read. */
interface ReplayAnswer {
  results: { status: string; msg_id?: string; channel_seq?: number }[];
}

async function replay(port: number, body: unknown): Promise<ReplayAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/admin/dlq/market.ticks/replay`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return (await res.json()) as ReplayAnswer;
}

it('a replay on one node is a no-op on the other, and the message arrives once', { skip: NO_NATS }, async () => {
  const [a, b] = await Promise.all(hubs.map((h) => h.listen(0)));
  const { client: engine } = await RawClient.connect(`ws://127.0.0.1:${a!.port}/v1/ws`, 'core-engine');
  const { sub } = await subscribe(engine, { ch: 'market.ticks' });
  const { client: bridge } = await RawClient.connect(`ws://127.0.0.1:${b!.port}/v1/ws`, 'data-bridge');
  const refused = await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', msg_id: 'js-1', data: { symbol: 'EURUSD' } });
  assert.equal(refused.code, 'CONTRACT_VIOLATION');

  contracts.write(ticks(false));
  for (const h of hubs) h.setContracts(await loadContracts(contracts.dir));
  const first = await replay(b!.port, { seqs: [1] });
  assert.deepEqual([first.results[0].status, first.results[0].msg_id], ['replayed', 'js-1']);
  const msg = await engine.next((f) => f.op === 'msg' && f.sub === sub);
  assert.deepEqual([msg.msg.id, msg.msg.seq, msg.msg.source], ['js-1', 1, 'data-bridge']);

  const again = await replay(a!.port, { all: true });
  assert.deepEqual([again.results[0].status, again.results[0].channel_seq], ['already_replayed', 1]);
  assert.deepEqual(await quietFor(engine, sub, 300), []);
  const status = await (await fetch(`http://127.0.0.1:${a!.port}/v1/admin/status`)).json();
  assert.deepEqual([status.store.kind, status.cluster.kind], ['jetstream', 'nats']);
  assert.equal(status.channels.find((c: { ch: string }) => c.ch === 'market.ticks').dlq.depth, 1, 'the entry stays, marked');
  await engine.close();
  await bridge.close();
});

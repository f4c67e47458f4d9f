// A node that was off NATS while another node stored a message still delivers it, with no further publish.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe } from '../support/hub-fixture.js';
import type { HubProcess } from '../support/hub-process.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { jetStreamNames } from '../../packages/hub/src/store/jetstream/names.js';
import { storedEnvelope } from '../../packages/hub/src/store/jetstream/envelope.js';
import type { Envelope } from '@switchboard/protocol';

describe('an announcement lost while a node was off NATS', { skip: NO_NATS }, () => {
  // node-2 reaches NATS through a proxy, so the test can take it off NATS alone.
  const fx = useCluster(2, undefined, { proxied: [1] });
  let cluster: TestCluster;
  let nodes: HubProcess[];
  let proxy: TcpProxy;
  before(() => {
    cluster = fx.cluster;
    nodes = cluster.nodes;
    proxy = cluster.proxies.get(1)!;
  });

  const ready = (node: HubProcess, status: 200 | 503) => cluster.waitReady(status, 20_000, [node]);

  it('reaches a subscriber on the node that missed it once that node is back, without another publish', async () => {
    const { client: subscriber } = await fx.session(1, 'quiet-sub');
    const { client: publisher } = await fx.session(0, 'quiet-pub');
    const { sub } = await subscribe(subscriber, { ch: 'cl.quiet', from: 'latest' });
    const first = await publisher.call({ op: 'pub', ch: 'cl.quiet', type: 't', data: { n: 1 } });
    assert.equal(first.op, 'ok');
    assert.deepEqual(
      (await subscriber.messages<Envelope<{ n: number }>>(sub, 1, 10_000)).map((f) => f.msg.data.n),
      [1],
    );

    proxy.cut(true);
    await ready(nodes[1]!, 503);
    const second = await publisher.call({ op: 'pub', ch: 'cl.quiet', type: 't', data: { n: 2 } });
    assert.equal(second.op, 'ok', 'node-1 still stores messages');
    proxy.restore();
    await ready(nodes[1]!, 200);

    const got = await subscriber.messages<Envelope<{ n: number }>>(sub, 1, 15_000);
    assert.deepEqual(
      got.map((f) => [f.msg.seq, f.msg.data.n]),
      [[second.seq, 2]],
      'the message node-2 was not told about arrives anyway',
    );
  });

  it('reaches a subscriber even when no node announced it at all (the periodic head check)', async () => {
    const { client: subscriber } = await fx.session(0, 'unannounced-sub');
    const { sub } = await subscribe(subscriber, { ch: 'cl.unannounced', from: 'latest' });
    // Store a message the way a node does, straight into the channel's stream, and announce it to nobody.
    const nc = await connect({ servers: cluster.nats.url });
    try {
      const names = jetStreamNames('sb');
      const text = storedEnvelope('cl.unannounced', { id: 'direct-1', type: 't', source: 'elsewhere', ts: new Date().toISOString(), data: { n: 7 } });
      const ack = await jetstream(nc).publish(names.subject('cl.unannounced'), text);
      const got = await subscriber.messages<Envelope<{ n: number }>>(sub, 1, 30_000);
      assert.deepEqual(
        got.map((f) => [f.msg.seq, f.msg.data.n]),
        [[ack.seq, 7]],
      );
    } finally {
      await nc.close();
    }
  });
});

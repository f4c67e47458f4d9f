// Two hub nodes on one nats-server: payloads keep every digit through the JetStream store (live, replay, HTTP
// history, a consumer group, a dead letter) and through the cluster bus (a subscriber on the other node, an
// ephemeral channel, a request served by a component connected to the other node).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe } from '../support/hub-fixture.js';
import { useCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { sleep, waitFor } from '../support/util.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../support/exact-json.js';

describe('payload fidelity through JetStream and the cluster bus', { skip: NO_NATS }, () => {
  const fx = useCluster(2, 'channels:\n  "fx.eph.>":\n    mode: ephemeral\n  "fx.nack":\n    max_deliveries: 1\n');

  for (const [kind, ch] of [
    ['durable (JetStream)', 'fx.durable'],
    ['ephemeral', 'fx.eph.live'],
  ] as const) {
    it(`a ${kind} message published on node 1 reaches a subscriber on node 2 exactly`, async () => {
      const { client: remote } = await fx.session(1, 'java-engine');
      const { client: local } = await fx.session(0, 'auditor');
      const remoteTexts = captureText(remote);
      const localTexts = captureText(local);
      const remoteSub = (await subscribe(remote, { ch })).sub;
      const localSub = (await subscribe(local, { ch })).sub;
      const { client: publisher } = await fx.session(0, 'py-bridge');
      publisher.send(frameText({ op: 'pub', id: 1, ch, type: 'order' }, EXACT_DATA, EXACT_META));
      assert.equal((await publisher.next((f) => f.re === 1)).op, 'ok');
      assertExactPayload(
        await localTexts.next((t) => t.startsWith(`{"op":"msg","sub":"${localSub}"`), 10_000),
        EXACT_DATA,
        EXACT_META,
        `node 1's subscriber (${kind})`,
      );
      assertExactPayload(
        await remoteTexts.next((t) => t.startsWith(`{"op":"msg","sub":"${remoteSub}"`), 10_000),
        EXACT_DATA,
        EXACT_META,
        `node 2's subscriber over the bus (${kind})`,
      );
    });
  }

  it('the JetStream log gives the payload back exactly: replay on the other node, HTTP history, a group', async () => {
    const { client: publisher } = await fx.session(0, 'py-bridge');
    publisher.send(frameText({ op: 'pub', id: 1, ch: 'fx.log', type: 'order' }, EXACT_DATA, EXACT_META));
    assert.equal((await publisher.next((f) => f.re === 1)).op, 'ok');

    const { client: late } = await fx.session(1, 'java-engine');
    const texts = captureText(late);
    const replay = (await subscribe(late, { ch: 'fx.log', from: 0 })).sub;
    assertExactPayload(await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${replay}"`), 10_000), EXACT_DATA, EXACT_META, 'a replay from JetStream');
    const group = (await subscribe(late, { ch: 'fx.log', group: 'engines', from: 'earliest', ack: 'manual' })).sub;
    assertExactPayload(
      await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${group}"`), 10_000),
      EXACT_DATA,
      EXACT_META,
      'a group delivery from JetStream',
    );

    const body = await (await fetch(`${fx.cluster.nodes[1]!.url}/v1/channels/fx.log/messages`)).text();
    assertExactPayload(body, EXACT_DATA, EXACT_META, 'the HTTP history of node 2');
  });

  it('a message nacked past max_deliveries is dead-lettered into JetStream exactly', async () => {
    const { client: consumer } = await fx.session(1, 'java-engine');
    const sub = (await subscribe(consumer, { ch: 'fx.nack', ack: 'manual' })).sub;
    const { client: publisher } = await fx.session(0, 'py-bridge');
    publisher.send(frameText({ op: 'pub', id: 1, ch: 'fx.nack', type: 'order' }, EXACT_DATA, EXACT_META));
    assert.equal((await publisher.next((f) => f.re === 1)).op, 'ok');
    const m = await consumer.next((f) => f.op === 'msg' && f.sub === sub, 10_000);
    consumer.send({ op: 'nack', sub, seq: m.msg.seq });
    let body = '';
    await waitFor(
      async () => {
        body = await (await fetch(`${fx.cluster.nodes[0]!.url}/v1/channels/${encodeURIComponent('$dlq.fx.nack')}/messages`)).text();
        return body.includes('"data":');
      },
      'the dead letter in $dlq.fx.nack',
      10_000,
    );
    assertExactPayload(body, EXACT_DATA, undefined, 'the $dlq copy in JetStream');
    assert.ok(body.includes('"meta":' + EXACT_META.slice(0, -1) + ',"dlq":{'), body);
  });

  it('a request to a component on the other node carries both payloads exactly', async () => {
    const { client: engine } = await fx.session(1, 'quote-engine');
    const engineTexts = captureText(engine);
    // Let node 2's subscription to the component's request subject reach node 1.
    await sleep(300);
    const { client: asker } = await fx.session(0, 'asker');
    const askerTexts = captureText(asker);
    asker.send(frameText({ op: 'req', id: 9, to: 'quote-engine', type: 'quote' }, EXACT_DATA));
    const req = await engineTexts.next((t) => t.startsWith('{"op":"req"'), 10_000);
    assertExactPayload(req, EXACT_DATA, undefined, 'the req frame on the other node');
    engine.send(frameText({ op: 'reply', rid: (JSON.parse(req) as { rid: string }).rid }, EXACT_META));
    assert.equal(await askerTexts.next((t) => t.includes('"re":9'), 10_000), '{"op":"ok","re":9,"data":' + EXACT_META + '}');
  });
});

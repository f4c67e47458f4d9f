// SIGTERM under load: publishes the hub already received are stored and answered before the sockets close
// (1001); later ones get UNAVAILABLE. So after a graceful stop nothing is stored that was not acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub } from '../../../test/support/hub-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { history } from '../../../test/support/hub-fixture.js';

test('graceful stop answers every publish it stored, then closes with 1001', async () => {
  const hub = await startHub();
  try {
    const { client } = await RawClient.connect(hub.wsUrl, 'streamer');
    const acked = new Set<string>();
    const refused = new Set<string>();
    let sent = 0;
    let stopping: Promise<number | null> | undefined;
    const total = 5000;
    const window = 200;
    await new Promise<void>((done) => {
      const pump = () => {
        while (sent < total && sent - acked.size - refused.size < window && client.closed === undefined) {
          const id = `m${++sent}`;
          client.send({ op: 'pub', id, ch: 'stop.test', type: 't', data: { n: sent }, msg_id: id });
        }
      };
      client.ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString());
        if (f.op === 'ok') acked.add(f.re);
        else if (f.op === 'err') {
          assert.equal(f.code, 'UNAVAILABLE', JSON.stringify(f));
          refused.add(f.re);
        }
        if (acked.size >= 1000 && !stopping) stopping = hub.stop();
        pump();
      });
      client.ws.on('close', () => done());
      pump();
    });
    assert.equal(client.closed?.code, 1001);
    assert.equal(await stopping, 0, 'the hub exits 0 after a graceful stop');
    const restarted = await hub.restart();
    const stored: string[] = (await history(restarted.url, 'stop.test')).map((m) => m.id);
    const unacked = stored.filter((id) => !acked.has(id));
    console.log(`sent=${sent} acknowledged=${acked.size} refused=${refused.size} stored=${stored.length} stored_unacknowledged=${unacked.length}`);
    assert.ok(acked.size >= 1000);
    assert.deepEqual(unacked, [], 'every stored message was acknowledged before the socket closed');
    for (const id of acked) assert.ok(stored.includes(id), `${id} was acknowledged but is not stored`);
    await restarted.cleanup();
  } finally {
    await hub.cleanup();
  }
});

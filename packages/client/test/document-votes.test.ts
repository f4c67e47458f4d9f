import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type SharedDocument, type SwitchboardClient } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

type Qa = { questions: Record<string, { text: string; votes: number }> };

test('250 votes through the SDK: 25 clients × 10 inc, the count is exact and every local copy converges to 250', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const host = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui' }));
  const qa = await host.doc<Qa>('qa/250');
  assert.deepEqual([qa.version, qa.value], [0, null], 'a document never written');
  const v1 = await qa.update([{ op: 'add', path: '', value: { questions: { q1: { text: 'Ship it?', votes: 0 } } } }]);
  assert.equal(v1, 1);

  const clients: SwitchboardClient[] = await Promise.all(
    Array.from({ length: 25 }, (_, i) => closing(t, connect({ url: hub.wsUrl, component: `attendee-${i}` }))),
  );
  const docs: SharedDocument<Qa>[] = await Promise.all(clients.map((c) => c.doc<Qa>('qa/250')));
  for (const d of docs) assert.deepEqual([d.version, d.value.questions.q1!.votes], [1, 0], 'each late joiner gets the snapshot');

  const versions: number[] = [];
  await Promise.all(
    docs.map(async (d) => {
      for (let k = 0; k < 10; k++) {
        const vote = d.inc('/questions/q1/votes');
        assert.ok(d.value.questions.q1!.votes >= 1, 'the local value counts the vote before the hub answers');
        versions.push(await vote);
      }
    }),
  );
  assert.equal(new Set(versions).size, 250, 'each vote made its own version');
  assert.deepEqual([Math.min(...versions), Math.max(...versions)], [2, 251]);

  await waitFor(() => [qa, ...docs].every((d) => d.version === 251 && d.pending === 0), 'every copy at version 251', 20_000);
  for (const d of [qa, ...docs]) assert.equal(d.value.questions.q1!.votes, 250);
  const res = await fetch(`${hub.url}/v1/docs/qa/250`);
  assert.deepEqual(await res.json(), { version: 251, value: { questions: { q1: { text: 'Ship it?', votes: 250 } } } });
});

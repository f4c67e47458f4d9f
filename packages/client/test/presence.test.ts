import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type PresenceMember } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { proxyFor } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const names = (ms: PresenceMember[]) => ms.map((m) => m.info.name);

test('presence through the SDK: members with their info, join and leave events, leave()', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const ada = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui' }));
  const bob = await closing(t, connect({ url: hub.wsUrl, component: 'attendee-ui' }));
  const room = await ada.presence('session.42', { name: 'Ada', role: 'speaker' });
  assert.deepEqual(names(room.members), ['Ada']);
  assert.equal(room.members[0]!.session, ada.session);
  const joins: PresenceMember[] = [];
  const leaves: PresenceMember[] = [];
  room.on('join', (m) => joins.push(m));
  room.on('leave', (m) => leaves.push(m));

  const bobs = await bob.presence('session.42', { name: 'Bob' });
  assert.deepEqual(names(bobs.members), ['Ada', 'Bob'], 'the list, longest present first');
  await waitFor(() => joins.length === 1, 'Ada sees Bob join');
  assert.deepEqual([joins[0]!.component, joins[0]!.session, joins[0]!.info], ['attendee-ui', bob.session, { name: 'Bob' }]);
  assert.deepEqual(names(room.members), ['Ada', 'Bob']);

  await bobs.leave();
  await waitFor(() => leaves.length === 1, 'Ada sees Bob leave');
  assert.equal(leaves[0]!.session, bob.session);
  assert.deepEqual(names(room.members), ['Ada']);

  const carol = await connect({ url: hub.wsUrl, component: 'attendee-2' });
  await carol.presence('session.42', { name: 'Carol' });
  await waitFor(() => joins.length === 2, 'Carol joins');
  await carol.close();
  await waitFor(() => leaves.length === 2, 'Carol leaves when her client closes');
  assert.deepEqual(names(room.members), ['Ada']);
});

test('presence after a dropped connection: the member is still listed and re-joined, the others see no leave and no join', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const proxy = await proxyFor(t, hub.current.port);
  const ada = await closing(t, connect({ url: proxy.wsUrl, component: 'presenter-ui', reconnect: { initialDelayMs: 20, maxDelayMs: 100 } }));
  const bob = await closing(t, connect({ url: hub.wsUrl, component: 'attendee-ui' }));
  const room = await ada.presence('session.43', { name: 'Ada' });
  const bobs = await bob.presence('session.43', { name: 'Bob' });
  await waitFor(() => room.members.length === 2, 'Ada sees Bob');
  const seenByBob: string[] = [];
  bobs.on('join', (m) => seenByBob.push(`join ${m.info.name}`));
  bobs.on('leave', (m) => seenByBob.push(`leave ${m.info.name}`));
  const seenByAda: string[] = [];
  room.on('join', (m) => seenByAda.push(`join ${m.info.name}`));
  room.on('leave', (m) => seenByAda.push(`leave ${m.info.name}`));

  proxy.cut(true);
  await waitFor(() => ada.state === 'reconnecting', 'Ada lost her connection');
  const dave = await closing(t, connect({ url: hub.wsUrl, component: 'attendee-3' }));
  const daves = await dave.presence('session.43', { name: 'Dave' });
  assert.deepEqual(names(daves.members), ['Ada', 'Bob', 'Dave'], 'Ada is still listed while her session may resume');
  proxy.restore();
  await waitFor(() => ada.state === 'connected', 'Ada reconnected');
  await waitFor(() => seenByAda.length === 1, 'Ada learns, after the reconnect, who joined meanwhile');
  assert.deepEqual(seenByAda, ['join Dave']);
  assert.deepEqual(names(room.members), ['Ada', 'Bob', 'Dave']);
  await sleep(200);
  assert.deepEqual(seenByBob, ['join Dave'], 'no leave and no join of Ada');
  assert.deepEqual(names(bobs.members), ['Ada', 'Bob', 'Dave']);
});

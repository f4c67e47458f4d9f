import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { connect } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';
import type { WelcomeFrame } from '@switchboard/protocol';

test('a client whose session another connection resumed stops with an error, instead of taking the session back', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-taken', reconnect: { initialDelayMs: 20, maxDelayMs: 100 } }));
  await c.subscribe('taken.ch', { ack: 'manual', onMessage: () => undefined });
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  // another connection resumes the session (as the same app would after a network change)
  const other = new WebSocket(hub.wsUrl, 'switchboard.v1');
  t.after(() => other.terminate());
  await new Promise((resolve) => other.once('open', resolve));
  const welcome = new Promise<WelcomeFrame>((resolve) => other.once('message', (b) => resolve(JSON.parse(String(b)))));
  other.send(JSON.stringify({ op: 'hello', id: 1, component: 'sdk-taken', resume: c.session }));
  const w = await welcome;
  assert.deepEqual([w.op, w.session, w.resumed], ['welcome', c.session, true]);
  await waitFor(() => c.state === 'closed', 'the client stops', 5000);
  assert.match(String(errors[0]?.message), /another connection resumed its session \(code 4409\)/);
  await assert.rejects(c.publish('taken.ch', 't', 1), (err: Error & { code?: string }) => err.code === 'UNAVAILABLE');
  assert.equal(other.readyState, WebSocket.OPEN, 'the connection that resumed keeps the session');
});

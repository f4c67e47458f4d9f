import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, DocumentError, SwitchboardError } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { signToken } from './support/net.js';
import { closing } from './support/closing.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';

test(
  'what the token does not allow: doc() and presence() reject with FORBIDDEN; a read-only document refuses updates and rolls them back',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t, { dev: false, tokenSecret: SECRET });
    const token = signToken(SECRET, { sub: 'attendee-ui', 'sb.sub': ['session.*'], 'sb.docs': { 'session/*': 'r' } });
    const c = await closing(t, connect({ url: hub.wsUrl, component: 'attendee-ui', token }));

    await assert.rejects(c.doc('admin/1'), (err: unknown) => err instanceof SwitchboardError && err.code === 'FORBIDDEN');
    await assert.rejects(c.presence('backstage.1'), (err: unknown) => err instanceof SwitchboardError && err.code === 'FORBIDDEN');
    await assert.rejects(c.presence('session.*'), (err: unknown) => err instanceof SwitchboardError && err.code === 'UNKNOWN_CHANNEL');

    const d = await c.doc<{ slide: number } | null>('session/1');
    const write = d.update([{ op: 'add', path: '', value: { slide: 9 } }]);
    assert.deepEqual(d.value, { slide: 9 });
    await assert.rejects(write, (err: unknown) => err instanceof DocumentError && err.code === 'FORBIDDEN' && err.doc === 'session/1');
    assert.equal(d.value, null, 'rolled back');
    const room = await c.presence('session.1', { name: 'Ada' });
    assert.deepEqual(
      room.members.map((m) => m.info),
      [{ name: 'Ada' }],
    );
  },
);

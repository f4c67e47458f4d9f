// Who changed a flag and who steered a rollout is in the audit trail ($sys.audit): each flag change with the
// component that made it and its operations, each rollout start and verb with the admin that asked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@switchboard/client';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';

interface Audit {
  action: string;
  outcome: string;
  component: string;
  target: string;
  details: Record<string, unknown>;
}

describe('audit of flags and rollouts', () => {
  const fx = useHub();

  it('records flag changes and rollout actions', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.audit' });
    const entries: Audit[] = [];
    ops.tap(
      (f) => f.op === 'msg' && f.sub === sub,
      (f) => entries.push(f.msg.data as Audit),
    );

    const editor = await connect({ url: fx.hub.wsUrl, component: 'release-manager', reconnect: false });
    const doc = await editor.doc('flags/checkout');
    await doc.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } }]);
    await doc.update([{ op: 'replace', path: '/state', value: 'DISABLED' }]);
    const notFlag = await editor.doc('notes/1');
    await notFlag.update([{ op: 'replace', path: '', value: { a: 1 } }]);

    const started = await fetch(`${fx.hub.url}/v1/admin/rollouts`, {
      method: 'POST',
      headers: { 'x-switchboard-component': 'deployer' },
      body: JSON.stringify({ channel: 'orders', group: 'billing', version: '2' }),
    });
    const { id } = (await started.json()) as { id: string };
    await fetch(`${fx.hub.url}/v1/admin/rollouts/${id}/abort`, { method: 'POST', headers: { 'x-switchboard-component': 'deployer' } });

    await waitFor(
      () => entries.length >= 4,
      () => `4 audit entries: ${JSON.stringify(entries)}`,
    );
    assert.deepEqual(
      entries.map((e) => [e.action, e.component, e.target]),
      [
        ['flag.change', 'release-manager', 'flags/checkout'],
        ['flag.change', 'release-manager', 'flags/checkout'],
        ['rollout.start', 'deployer', 'orders billing'],
        ['rollout.abort', 'deployer', 'orders billing'],
      ],
    );
    assert.deepEqual(entries[1]!.details, { version: 2, ops: ['replace /state'] });
    assert.equal(entries[3]!.details.rollout, id);
    await doc.close();
    await notFlag.close();
    await editor.close();
  });
});

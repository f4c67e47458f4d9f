// The web provider through the standard @openfeature/web-sdk API against a real hub: synchronous evaluation for the
// static context, a change pushed by the hub emits the change event and the next evaluation has it, a new context
// re-evaluates, and a flag not followed yet answers its default until its document arrives (then a change event).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { connect } from '@switchboard/client';
import { SwitchboardWebProvider } from '../src/web.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';

describe('OpenFeature web provider', () => {
  const fx = useHub();
  after(() => OpenFeature.close());

  it('evaluates synchronously, follows changes and contexts', async () => {
    const editor = await connect({ url: fx.hub.wsUrl, component: 'flag-editor', reconnect: false });
    const theme = await editor.doc('flags/theme');
    await theme.update([
      {
        op: 'replace',
        path: '',
        value: {
          state: 'ENABLED',
          variants: { light: 'light', dark: 'dark' },
          defaultVariant: 'light',
          targeting: { if: [{ '==': [{ var: 'beta' }, true] }, 'dark', null] },
        },
      },
    ]);
    const later = await editor.doc('flags/later');
    await later.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: { yes: true, no: false }, defaultVariant: 'yes' } }]);

    await OpenFeature.setContext({ targetingKey: 'visitor-1', beta: false });
    await OpenFeature.setProviderAndWait(new SwitchboardWebProvider({ connect: { url: fx.hub.wsUrl, component: 'web-shop' }, flags: ['theme'] }));
    const client = OpenFeature.getClient();
    assert.equal(client.getStringValue('theme', 'none'), 'light');

    let changes = 0;
    client.addHandler(ProviderEvents.ConfigurationChanged, () => changes++);
    await theme.update([{ op: 'replace', path: '/defaultVariant', value: 'dark' }]);
    await waitFor(() => changes === 1, 'the change event');
    assert.equal(client.getStringValue('theme', 'none'), 'dark');

    await theme.update([{ op: 'replace', path: '/defaultVariant', value: 'light' }]);
    await waitFor(() => changes === 2, 'the second change event');
    await OpenFeature.setContext({ targetingKey: 'visitor-1', beta: true });
    assert.deepEqual([client.getStringDetails('theme', 'none').value, client.getStringDetails('theme', 'none').reason], ['dark', 'TARGETING_MATCH']);

    const first = client.getBooleanDetails('later', false);
    assert.deepEqual([first.value, first.errorCode], [false, 'FLAG_NOT_FOUND']);
    await waitFor(() => changes === 3, 'the change event once the flag arrived');
    assert.equal(client.getBooleanValue('later', false), true);
    await theme.close();
    await later.close();
    await editor.close();
  });
});

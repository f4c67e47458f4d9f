// The OpenFeature provider against a real hub, through the standard @openfeature/server-sdk API: flags evaluate
// locally from their documents (targeting and fractional as flagd), a change made by another component reaches the
// provider over the socket — PROVIDER_CONFIGURATION_CHANGED with the flag's key, and the next evaluation has it —
// and a flag that does not exist gives the code default with FLAG_NOT_FOUND.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature, ProviderEvents, type EventDetails } from '@openfeature/server-sdk';
import { connect } from '@switchboard/client';
import { SwitchboardProvider } from '../src/index.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';

const banner = (text: string) => ({
  state: 'ENABLED',
  variants: { plain: 'Welcome', promo: text },
  defaultVariant: 'plain',
  targeting: { if: [{ '==': [{ var: 'country' }, 'FR'] }, 'promo', null] },
});

describe('OpenFeature provider', () => {
  const fx = useHub();
  after(() => OpenFeature.close());

  it('evaluates locally and sees a change pushed by the hub', async () => {
    const editor = await connect({ url: fx.hub.wsUrl, component: 'flag-editor', reconnect: false });
    const doc = await editor.doc('flags/banner');
    await doc.update([{ op: 'replace', path: '', value: banner('Soldes !') }]);

    const provider = new SwitchboardProvider({ connect: { url: fx.hub.wsUrl, component: 'storefront' }, flags: ['banner'] });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    assert.equal(await client.getStringValue('banner', 'fallback', { targetingKey: 'u1', country: 'DE' }), 'Welcome');
    const fr = await client.getStringDetails('banner', 'fallback', { targetingKey: 'u1', country: 'FR' });
    assert.deepEqual([fr.value, fr.variant, fr.reason], ['Soldes !', 'promo', 'TARGETING_MATCH']);

    const changes: { at: number; details?: EventDetails }[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => changes.push({ at: performance.now(), details }));
    const sent = performance.now();
    await doc.update([{ op: 'replace', path: '/variants/promo', value: 'Promo -20 %' }]);
    await waitFor(() => changes.length === 1, 'the change event');
    assert.deepEqual(changes[0]!.details?.flagsChanged, ['banner']);
    assert.equal(await client.getStringValue('banner', 'fallback', { targetingKey: 'u1', country: 'FR' }), 'Promo -20 %');
    assert.ok(changes[0]!.at - sent < 1000, `the change took ${Math.round(changes[0]!.at - sent)} ms to reach the provider`);

    const off = await doc.update([{ op: 'replace', path: '/state', value: 'DISABLED' }]);
    assert.ok(off > 0);
    await waitFor(() => changes.length === 2, 'the second change event');
    const disabled = await client.getStringDetails('banner', 'fallback', { country: 'FR' });
    assert.deepEqual([disabled.value, disabled.reason], ['fallback', 'DISABLED']);

    const missing = await client.getBooleanDetails('no-such-flag', true);
    assert.deepEqual([missing.value, missing.errorCode], [true, 'FLAG_NOT_FOUND']);
    const wrongType = await client.getNumberDetails('banner', 7);
    assert.deepEqual([wrongType.value, wrongType.reason], [7, 'DISABLED']);
    await doc.close();
    await editor.close();
  });
});

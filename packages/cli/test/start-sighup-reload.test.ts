// `switchboard start` reloads its contracts on SIGHUP, as POST /v1/contracts/reload does, and says so; a set
// that fails the checks is refused and the current contracts stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useHubProcess } from '../../../test/support/hub-fixture.js';
import { contractsDir, MISPLACED, post, publish, ticks } from '../../../test/support/reload-contracts.js';
import { waitFor } from '../../../test/support/util.js';

describe('contract reload on SIGHUP', () => {
  const contracts = contractsDir(true);
  const fx = useHubProcess({ contracts: contracts.dir });

  it('SIGHUP reloads the contracts, and refuses a broken set the same way', async () => {
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 422, 'venue is required before the reload');
    contracts.write(ticks(false));
    fx.hub.child.kill('SIGHUP');
    await waitFor(
      () => /reloaded the contracts \(SIGHUP\): 1 channel\(s\)/.test(fx.hub.output()),
      () => `the reload line; output:\n${fx.hub.output()}`,
      20_000,
    );
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);

    contracts.write(MISPLACED);
    fx.hub.child.kill('SIGHUP');
    await waitFor(
      () => /contract reload \(SIGHUP\) refused: the contracts were not reloaded/.test(fx.hub.output()),
      () => `the refusal line; output:\n${fx.hub.output()}`,
      20_000,
    );
    assert.equal((await publish(fx.hub.url, { symbol: 'EURUSD' })).status, 201);
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 422, 'still broken on disk');
  });
});

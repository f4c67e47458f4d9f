// `switchboard flags list | get | set | history`: an operator writes a flag, turns it off as a kill switch, reads it
// and its evaluation for a context, and sees who changed what; an invalid definition is refused with what to fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubInProcess, type InProcessHub } from '../../../test/support/hub-in-process.js';
import { runCli, runCliAsync } from './support/cli.js';

describe('switchboard flags', () => {
  let hub: InProcessHub;
  before(async () => {
    hub = await startHubInProcess();
  });
  after(() => hub.cleanup());

  it('set, list, get (with an evaluation), history; refusals exit 1, mistakes 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-flags-')), 'new-checkout.json');
    writeFileSync(
      file,
      JSON.stringify({
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', null] },
      }),
    );
    const set = await runCliAsync(['flags', 'set', 'new-checkout', '--file', file, '--hub', hub.url]);
    assert.equal(set.status, 0, set.stderr);
    assert.equal(set.stdout, 'flag new-checkout is now version 1\n');
    const inline = await runCliAsync([
      'flags',
      'set',
      'banner',
      '{"state":"ENABLED","variants":{"a":"Hi","b":"Hello"},"defaultVariant":"a"}',
      '--hub',
      hub.wsUrl,
    ]);
    assert.equal(inline.status, 0, inline.stderr);

    const bad = await runCliAsync(['flags', 'set', 'banner', '--default', 'c', '--hub', hub.url]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /\/defaultVariant: "defaultVariant" must name one of the variants/);
    const conflict = await runCliAsync(['flags', 'set', 'banner', '--default', 'b', '--if-version', '7', '--hub', hub.url]);
    assert.equal(conflict.status, 1);

    const killed = await runCliAsync(['flags', 'set', 'new-checkout', '--state', 'DISABLED', '--hub', hub.url]);
    assert.equal(killed.stdout, 'flag new-checkout is now version 2\n');

    const list = await runCliAsync(['flags', 'list', '--hub', hub.url]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(
      list.stdout,
      /^KEY +VERSION +STATE +DEFAULT +VARIANTS +TARGETING\nbanner +1 +ENABLED +a +a,b +no\nnew-checkout +2 +DISABLED +off +on,off +yes\n$/,
    );

    const got = await runCliAsync(['flags', 'get', 'new-checkout', '--hub', hub.url]);
    assert.match(got.stdout, /^flag new-checkout {2}version 2\n\{\n {2}"state": "DISABLED",/);
    await runCliAsync(['flags', 'set', 'new-checkout', '--state', 'ENABLED', '--hub', hub.url]);
    const pro = await runCliAsync(['flags', 'get', 'new-checkout', '--context', '{"targetingKey":"u1","plan":"pro"}', '--hub', hub.url]);
    assert.equal(pro.stdout, 'new-checkout = true  variant on  reason TARGETING_MATCH\n');

    const history = await runCliAsync(['flags', 'history', 'new-checkout', '--hub', hub.url]);
    assert.match(
      history.stdout,
      /^VERSION +BY +CHANGE\nv3 +switchboard-cli +replace \/state = "ENABLED"\nv2 +switchboard-cli +replace \/state = "DISABLED"\nv1 +switchboard-cli +replace \/\n$/,
    );

    assert.equal(runCli(['flags', 'set', 'x', '--hub', hub.url]).status, 2);
    assert.match(runCli(['flags', 'get']).stderr, /which flag\?/);
    assert.equal(runCli(['flags', '--help']).status, 0);
  });
});

// `switchboard dlq list | show | replay | purge`: an operator finds what was refused, replays it after the
// contract is fixed (with a progress line for many entries), and purges what is done with, after a confirmation.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { CLI } from '../../../test/support/hub-process.js';
import { contractsDir, ticks } from '../../../test/support/reload-contracts.js';
import { runCli, runCliAsync, type CliRun } from './support/cli.js';

const contracts = contractsDir(true);
const hub = await startHubInProcess({ contracts: contracts.dir });
after(() => hub.cleanup());
const dlq = (...args: string[]) => runCliAsync(['dlq', ...args, '--hub', hub.url]);

/** Runs the CLI with `input` on its stdin (the answer to a prompt). */
function withInput(args: string[], input: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('list, show, replay after a contract fix, purge', async () => {
  const { client } = await RawClient.connect(hub.wsUrl, 'data-bridge');
  for (let i = 0; i < 3; i++)
    assert.equal((await client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: `S${i}` } })).code, 'CONTRACT_VIOLATION');

  const logs = await dlq('list');
  assert.equal(logs.status, 0, logs.stderr);
  assert.match(logs.stdout, /^CHANNEL +DEPTH +FIRST +HEAD\nmarket\.ticks +3 +1 +3\n$/);
  const entries = await dlq('list', 'market.ticks');
  assert.match(
    entries.stdout,
    /^\$dlq\.market\.ticks: 3 entries, head 3\n {2}SEQ +TIME +TYPE +SOURCE +CODE +REPLAY +REASON\n {2}1 +\S+ +tick +data-bridge +CONTRACT_VIOLATION +- +.*venue/,
  );
  const one = await dlq('show', 'market.ticks', '--seq', '2');
  assert.equal(one.status, 0, one.stderr);
  const shown = JSON.parse(one.stdout);
  assert.deepEqual([shown.seq, shown.message.data.symbol, shown.original_ch], [2, 'S1', 'market.ticks']);

  const early = await dlq('replay', 'market.ticks', '--all');
  assert.equal(early.status, 1, 'entries the contract still refuses');
  assert.match(early.stdout, / {2}1: refused \(CONTRACT_VIOLATION\): .*venue/);
  assert.match(early.stdout, /\$dlq\.market\.ticks: 0 replayed, 0 already replayed, 3 refused\n$/);

  contracts.write(ticks(false));
  await hub.node.reloadContracts('test');
  const first = await dlq('replay', 'market.ticks', '--seq', '1');
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /^\$dlq\.market\.ticks: 1 replayed, 0 already replayed, 0 refused\n$/);
  const rest = await dlq('replay', 'market.ticks', '--all');
  assert.equal(rest.status, 0);
  assert.match(rest.stdout, /^ {2}1: already replayed: replayed before .*\n\$dlq\.market\.ticks: 2 replayed, 1 already replayed, 0 refused\n$/);
  assert.match((await dlq('list', 'market.ticks')).stdout, / {2}1 .* replayed as 1 /);

  const declined = await withInput(['dlq', 'purge', 'market.ticks', '--up-to', '2', '--hub', hub.url], 'n\n');
  assert.equal(declined.status, 1);
  assert.match(declined.stderr, /Remove 2 dead letters of market\.ticks \(seq 1 to 2\)\? This cannot be undone\. \[y\/N\] /);
  assert.match(declined.stderr, /not purged \(answer y to purge, or pass --yes\)/);
  const accepted = await withInput(['dlq', 'purge', 'market.ticks', '--up-to', '2', '--hub', hub.url], 'y\n');
  assert.equal(accepted.status, 0, accepted.stderr);
  assert.match(accepted.stdout, /^\$dlq\.market\.ticks: 2 removed, 1 left\n$/);
  const all = await dlq('purge', 'market.ticks', '--all', '--yes');
  assert.match(all.stdout, /^\$dlq\.market\.ticks: 1 removed, 0 left\n$/);
  await client.close();
});

test('replaying many entries prints a progress line per request', async () => {
  contracts.write(ticks(true));
  await hub.node.reloadContracts('test');
  const { client } = await RawClient.connect(hub.wsUrl, 'data-bridge');
  await Promise.all(Array.from({ length: 250 }, (_, i) => client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: `B${i}` } })));
  contracts.write(ticks(false));
  await hub.node.reloadContracts('test');
  const r = await dlq('replay', 'market.ticks', '--all');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'replaying 100/250: 100 replayed, 0 refused',
    'replaying 200/250: 200 replayed, 0 refused',
    'replaying 250/250: 250 replayed, 0 refused',
  ]);
  assert.match(r.stdout, /^\$dlq\.market\.ticks: 250 replayed, 0 already replayed, 0 refused\n$/);
  await client.close();
});

test('says what to change on a usage error; --help on the command', () => {
  assert.match(runCli(['dlq', 'replay', 'market.ticks']).stderr, /give the entries: --seq N \(repeatable\) or --all/);
  assert.match(runCli(['dlq', 'show']).stderr, /which channel\? e\.g\. switchboard dlq show market\.ticks/);
  assert.match(runCli(['dlq', 'drop', 'x']).stderr, /unknown verb "drop"; use list, show, replay or purge/);
  assert.match(runCli(['dlq', 'purge', 'x', '--up-to', 'soon']).stderr, /--up-to must be a whole number ≥ 1, not "soon"/);
  const help = runCli(['dlq', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: switchboard dlq <list\|show\|replay\|purge>/);
});

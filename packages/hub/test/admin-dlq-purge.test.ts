// Reading dead letters page by page and purging them: an operator removes what was handled, the log keeps
// counting, and every admin action is logged with who did it.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadContracts } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { contractsDir } from '../../../test/support/reload-contracts.js';

it('lists dead letters in pages, purges up to a seq, and logs who did it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-purge-'));
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const hub = createHub({ config: { ...defaultConfig(), auth: { dev: true } }, store, logger, contracts: await loadContracts(contractsDir(true).dir) });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = await hub.listen(0);
  const url = `http://127.0.0.1:${port}`;
  const { client } = await RawClient.connect(`ws://127.0.0.1:${port}/v1/ws`, 'data-bridge');
  for (let i = 0; i < 5; i++) await client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD', i } });

  const page = await (await fetch(`${url}/v1/admin/dlq/market.ticks?from=1&limit=2`)).json();
  assert.deepEqual([page.depth, page.first, page.head, page.next], [5, 1, 5, 3]);
  assert.deepEqual(
    page.entries.map((e: { seq: number; message: { data: { i: number } } }) => [e.seq, e.message.data.i]),
    [
      [2, 1],
      [3, 2],
    ],
  );
  const logs = await (await fetch(`${url}/v1/admin/dlq`)).json();
  assert.deepEqual(logs.logs, [{ ch: 'market.ticks', dlq: '$dlq.market.ticks', depth: 5, first: 1, head: 5 }]);

  const purge = (body: unknown) =>
    fetch(`${url}/v1/admin/dlq/market.ticks/purge`, { method: 'POST', headers: { 'x-switchboard-component': 'ops-alice' }, body: JSON.stringify(body) });
  const res = await purge({ up_to_seq: 3 });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ch: 'market.ticks', up_to_seq: 3, purged: 3, depth: 2, first: 4, head: 5 });
  const rest = await (await fetch(`${url}/v1/admin/dlq/${encodeURIComponent('$dlq.market.ticks')}`)).json();
  assert.deepEqual(
    rest.entries.map((e: { seq: number }) => e.seq),
    [4, 5],
    'the $dlq. prefix in the path is optional',
  );
  const bad = await purge({ up_to: 3 });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).message, /\{"up_to_seq": n\}/);

  await client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD' } });
  const after6 = await (await fetch(`${url}/v1/admin/dlq/market.ticks`)).json();
  assert.deepEqual([after6.depth, after6.first, after6.head], [3, 4, 6], 'the log keeps counting after a purge');

  const replayed = await fetch(`${url}/v1/admin/dlq/market.ticks/replay`, {
    method: 'POST',
    headers: { 'x-switchboard-component': 'ops-bob' },
    body: JSON.stringify({ seqs: [4] }),
  });
  assert.equal((await replayed.json()).refused, 1);
  const actions = lines.filter((l) => typeof l.action === 'string');
  assert.deepEqual(
    actions.map((l) => [l.action, l.admin, l.ch]),
    [
      ['dlq.purge', 'ops-alice', 'market.ticks'],
      ['dlq.replay', 'ops-bob', 'market.ticks'],
    ],
  );
  assert.deepEqual([actions[0]!.up_to_seq, actions[0]!.purged], [3, 3]);
  assert.deepEqual([actions[1]!.request, actions[1]!.refused], [[4], 1]);
  assert.match(String(actions[0]!.msg), /ops-alice purged 3 dead letters of market\.ticks up to seq 3/);
  await client.close();
});

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { publishMany, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { runCli, runCliAsync, tempFiles } from './support/cli.js';
import { hubBaseUrl } from '../src/commands/contracts-can-deploy.js';

/** What `contracts can-deploy --json` prints, as far as these tests read it. */
interface CanDeployReport {
  ok: boolean;
  checked: number;
  refused: number;
  channels: {
    ch: string;
    head: number;
    groups: { type: string; source: string; checked: number; refused: number; fields: { path: string; rule: string; count: number }[] }[];
    /** The live subscribers (from the hub), or the consumer groups (from a store file). */
    subscribers: Record<string, unknown>[];
  }[];
}

/** A market-ticks contract; `venue` is the field the versions disagree on. */
function contract(venue: 'absent' | 'optional' | 'required'): string {
  return `asyncapi: 3.0.0
info: { title: market, version: 1.0.0 }
channels:
  ticks:
    address: market.ticks
    messages:
      tick:
        payload:
          type: object
          required: [symbol, bid${venue === 'required' ? ', venue' : ''}]
          properties:
            symbol: { type: string }
            bid: { type: number }
${venue === 'absent' ? '' : '            venue: { type: string }\n'}  fills:
    address: market.fills
    messages:
      fill:
        payload: { type: object, required: [qty], properties: { qty: { type: integer } } }
`;
}

describe('switchboard contracts can-deploy', () => {
  const files = tempFiles('sb-can-deploy-');
  const v1 = files.write('v1/market.yaml', contract('optional'));
  const breaking = files.write('v2-breaking/market.yaml', contract('required'));
  const compatible = files.write(
    'v2-compatible/market.yaml',
    contract('absent').replace('bid: { type: number }', 'bid: { type: number }\n            ask: { type: number }'),
  );
  const fx = useHub(() => ({ contracts: files.dir + '/v1' }));

  before(async () => {
    assert.ok(v1);
    const bridge = await fx.connect('data-bridge');
    const backfill = await fx.connect('backfill');
    const engine = await fx.connect('core-engine');
    const auditor = await fx.connect('auditor');
    await subscribe(engine, { ch: 'market.ticks', group: 'engine', ack: 'manual' });
    await subscribe(auditor, { ch: 'market.>' });
    await publishMany(bridge, 'market.ticks', 5, { type: 'tick', data: (i) => ({ symbol: 'EURUSD', bid: 1 + i / 100 }) });
    await publishMany(backfill, 'market.ticks', 3, { type: 'tick', data: (i) => ({ symbol: 'EURUSD', bid: 1 + i / 100, venue: 'LSE' }) });
    await publishMany(backfill, 'market.fills', 2, { type: 'fill', data: (i) => ({ qty: i + 1 }) });
    // Refused under v1: kept in $dlq.market.ticks, which can-deploy skips.
    const refused = await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD' } });
    assert.equal(refused.code, 'CONTRACT_VIOLATION');
  });

  it('a new required field: exit 1, the table names the channel, the field and the producing component', async () => {
    const r = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const row = r.stdout.split('\n').find((l) => l.startsWith('market.ticks') && l.includes('data-bridge'));
    assert.ok(row, r.stdout);
    assert.match(row, /market\.ticks\s+tick\s+data-bridge\s+5\s+5\s+\/venue required ×5\s+#1 market\.ticks\/tick: \/venue is required/);
    assert.match(row, /core-engine \(group engine\), auditor/);
    assert.match(r.stdout, /market\.ticks\s+tick\s+backfill\s+3\s+0\s/);
    assert.match(r.stdout, /market\.fills\s+fill\s+backfill\s+2\s+0\s/);
    assert.doesNotMatch(r.stdout, /\$dlq/);
    assert.match(r.stdout, /10 messages of 2 channels .* 5 would be refused/);
    assert.match(r.stderr, /would refuse 5 messages that data-bridge sent/);
  });

  it('--json gives the same per channel, type and producer, with the live subscribers', async () => {
    const r = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as CanDeployReport;
    assert.equal(report.ok, false);
    assert.equal(report.refused, 5);
    const ticks = report.channels.find((c) => c.ch === 'market.ticks')!;
    assert.equal(ticks.head, 8);
    assert.deepEqual(
      ticks.groups.map((g) => [g.type, g.source, g.checked, g.refused]),
      [
        ['tick', 'data-bridge', 5, 5],
        ['tick', 'backfill', 3, 0],
      ],
    );
    assert.deepEqual(ticks.groups[0].fields, [{ path: '/venue', rule: 'required', count: 5 }]);
    assert.deepEqual(ticks.subscribers, [
      { component: 'core-engine', pattern: 'market.ticks', group: 'engine', ack: 'manual', connections: 1 },
      { component: 'auditor', pattern: 'market.>', ack: 'auto', connections: 1 },
    ]);
  });

  it('a compatible new version: exit 0', async () => {
    const r = await runCliAsync(['contracts', 'can-deploy', compatible, '--hub', fx.hub.url]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /10 messages of 2 channels .* 0 would be refused/);
  });

  it('--hub takes the socket URL too: ws://…/v1/ws is the same hub as http://…; another scheme is refused with the forms to use', async () => {
    const ws = fx.hub.url.replace(/^http:/, 'ws:');
    for (const hub of [`${ws}/v1/ws`, ws, `${ws}/`]) {
      const r = await runCliAsync(['contracts', 'can-deploy', compatible, '--hub', hub]);
      assert.equal(r.status, 0, `${hub}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /10 messages of 2 channels .* 0 would be refused/);
    }
    const ftp = await runCliAsync(['contracts', 'can-deploy', compatible, '--hub', fx.hub.url.replace(/^http:/, 'ftp:')]);
    assert.equal(ftp.status, 1);
    assert.match(ftp.stderr, /--hub must be an http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/ URL of the hub, e\.g\. http:\/\/127\.0\.0\.1:7700, not "ftp:/);
    assert.doesNotMatch(ftp.stderr, /is the hub running there/);
    // wss:// maps to https://, and a hub behind a proxy path keeps its prefix.
    assert.equal(hubBaseUrl('wss://hub.example.com/v1/ws').href, 'https://hub.example.com/');
    assert.equal(hubBaseUrl('wss://example.com/switchboard/v1/ws').href, 'https://example.com/switchboard/');
    assert.equal(hubBaseUrl('https://example.com/switchboard').href, 'https://example.com/switchboard/');
  });

  it('--limit replays only the most recent messages of each channel', async () => {
    const r = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url, '--limit', '3', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).checked, 5);
  });

  it('--data reads the store file of the running hub, read-only, with its consumer groups', async () => {
    const r = runCli(['contracts', 'can-deploy', breaking, '--data', fx.hub.dataDir, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const ticks = (JSON.parse(r.stdout) as CanDeployReport).channels.find((c) => c.ch === 'market.ticks')!;
    assert.deepEqual(
      ticks.groups.map((g) => [g.source, g.refused]),
      [
        ['data-bridge', 5],
        ['backfill', 0],
      ],
    );
    assert.deepEqual(ticks.subscribers, [{ group: 'engine' }]);
    assert.equal(runCli(['contracts', 'can-deploy', compatible, '--data', fx.hub.dataDir]).status, 0);
  });

  it('usage errors exit 2; an unreachable hub or a missing store exits 1 with the reason', async () => {
    assert.equal(runCli(['contracts', 'can-deploy', breaking]).status, 2);
    assert.equal((await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url, '--data', fx.hub.dataDir])).status, 2);
    assert.equal((await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url, '--limit', '0'])).status, 2);
    const down = runCli(['contracts', 'can-deploy', breaking, '--hub', 'http://127.0.0.1:1']);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /does not answer .*is the hub running there\?/);
    const missing = runCli(['contracts', 'can-deploy', breaking, '--data', files.dir]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read the store file .*switchboard\.db/);
  });
});

describe('switchboard contracts can-deploy against a hub that checks tokens', () => {
  const SECRET = 'a-test-secret-for-can-deploy-0123456789';
  const files = tempFiles('sb-can-deploy-token-');
  files.write('v1/market.yaml', contract('optional'));
  const breaking = files.write('v2/market.yaml', contract('required'));
  const fx = useHub(() => ({ contracts: files.dir + '/v1', dev: false, tokenSecret: SECRET }));
  const token = (...args: string[]) => runCli(['token', '--secret', SECRET, ...args]).stdout.trim();

  it('uses --token (or SWITCHBOARD_TOKEN); without one the hub refuses and the exit status is 1', async () => {
    const bridge = token('--component', 'data-bridge');
    const res = await fetch(`${fx.hub.url}/v1/channels/market.ticks/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge}` },
      body: JSON.stringify({ type: 'tick', data: { symbol: 'EURUSD', bid: 1 } }),
    });
    assert.equal(res.status, 201);
    const ci = token('--component', 'ci', '--sub', 'market.>');
    const r = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url, '--token', ci, '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as CanDeployReport).channels[0].groups.map((g) => [g.source, g.refused]),
      [['data-bridge', 1]],
    );
    const fromEnv = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url], { SWITCHBOARD_TOKEN: ci });
    assert.equal(fromEnv.status, 1);
    assert.match(fromEnv.stdout, /market\.ticks\s+tick\s+data-bridge\s+1\s+1\s+\/venue required ×1/);
    const anonymous = await runCliAsync(['contracts', 'can-deploy', breaking, '--hub', fx.hub.url]);
    assert.equal(anonymous.status, 1);
    assert.match(anonymous.stderr, /GET \/v1\/channels answered 401 \(UNAUTHENTICATED: a token is required/);
  });
});

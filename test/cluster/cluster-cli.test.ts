// `switchboard start --store nats://…` and its NATS credentials options, against a real nats-server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../packages/cli/test/support/cli.js';
import { startHub } from '../support/hub-process.js';
import { freePort, NO_NATS, startNatsServer, type NatsServer } from '../support/nats-server.js';

describe('switchboard start --store nats://…', { skip: NO_NATS }, () => {
  let nats: NatsServer;
  before(async () => {
    nats = await startNatsServer(['--user', 'hub', '--pass', 's3cret']);
  });
  after(async () => {
    await nats?.cleanup();
  });

  it('lists the store and NATS options in start --help', () => {
    const r = runCli(['start', '--help']);
    assert.equal(r.status, 0);
    for (const option of ['--store URLS', '--nats-user', '--nats-password', '--nats-token', '--nats-creds', '--nats-namespace', 'SWITCHBOARD_STORE']) {
      assert.ok(r.stdout.includes(option), `start --help mentions ${option}`);
    }
  });

  it('refuses a --store that is neither sqlite nor nats:// URLs, and bad NATS settings', () => {
    const bad = runCli(['start', '--dev', '--port', '0', '--store', 'redis://127.0.0.1:6379']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--store must be "sqlite" or nats:\/\/HOST:PORT/);
    const ns = runCli(['start', '--dev', '--port', '0', '--store', nats.url, '--nats-namespace', 'has.dots']);
    assert.equal(ns.status, 1);
    assert.match(ns.stderr, /--nats-namespace must be/);
  });

  it('exits 1 with UNAVAILABLE-style advice when no NATS answers, or when the password is wrong', async () => {
    const dead = runCli(['start', '--dev', '--port', '0', '--store', `nats://127.0.0.1:${await freePort()}`]);
    assert.equal(dead.status, 1);
    assert.match(dead.stderr, /cannot open the JetStream store at nats:\/\/127\.0\.0\.1:\d+: Cannot connect to NATS/);
    const wrong = runCli(['start', '--dev', '--port', '0', '--store', nats.url, '--nats-user', 'hub', '--nats-password', 'wrong']);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /cannot open the JetStream store/);
  });

  it('starts with the credentials from the environment and reports ready on the JetStream store', async () => {
    const hub = await startHub({ args: ['--store', nats.url], env: { SWITCHBOARD_NATS_USER: 'hub', SWITCHBOARD_NATS_PASSWORD: 's3cret' } });
    try {
      assert.match(hub.output(), new RegExp(`store: jetstream ${nats.url.replace(/[.]/g, '\\.')} \\(namespace sb\\)`));
      const res = await fetch(`${hub.url}/readyz`);
      assert.deepEqual([res.status, await res.json()], [200, { status: 'ready', store: 'jetstream' }]);
    } finally {
      await hub.cleanup();
    }
  });
});

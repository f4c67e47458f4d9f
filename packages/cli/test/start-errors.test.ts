// `switchboard start` refuses a config file or a contract it cannot use: it exits non-zero by itself, before
// listening, with a message naming the file and what is wrong.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../../../test/support/hub-process.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => join(FIXTURES, name);
const brokenContracts = fixture('contracts-broken');

describe('an invalid config file', () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-config-'));
  after(() => rmSync(data, { recursive: true, force: true }));
  function start(config: string) {
    return spawnSync(process.execPath, [CLI, 'start', '--port', '0', '--dev', '--data', data, '--config', config], {
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn' },
    });
  }

  it('makes start exit non-zero with a message naming the key', () => {
    const cases: [string, RegExp[]][] = [
      ['invalid-mode.yaml', [/invalid-mode\.yaml/, /telemetry\.\*/, /mode/, /"fast"/]],
      ['invalid-unknown-key.yaml', [/invalid-unknown-key\.yaml/, /"heartbeats"/]],
      ['invalid-duration.yaml', [/invalid-duration\.yaml/, /heartbeat/, /500ms|30s/]],
      ['does-not-exist.yaml', [/does-not-exist\.yaml/, /--config/]],
      [
        'invalid-unitless-ack-timeout.yaml',
        [/invalid-unitless-ack-timeout\.yaml: channels\."market\.ticks"\.ack_timeout: 10 has no unit, .*\(10 ms\); write 10s for seconds/],
      ],
    ];
    for (const [file, patterns] of cases) {
      const r = start(fixture(file));
      assert.notEqual(r.status, 0, file);
      assert.notEqual(r.status, null, `${file}: exited by itself`);
      assert.doesNotMatch(r.stdout, /listening/, file);
      for (const p of patterns) assert.match(r.stderr, p, file);
    }
  });
});

describe('start with a broken contract', () => {
  it('exits non-zero with a message naming the file', () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-test-'));
    try {
      const r = spawnSync(process.execPath, [CLI, 'start', '--port', '0', '--data', data, '--dev', '--contracts', brokenContracts], {
        encoding: 'utf8',
        timeout: 15_000,
        env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn' },
      });
      assert.notEqual(r.status, 0);
      assert.notEqual(r.status, null, 'it exited by itself');
      assert.match(r.stderr, /broken-ticks\.yaml/);
      assert.match(r.stderr, /components\/messages\/missing/);
      assert.doesNotMatch(r.stdout, /listening/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startHub } from '../../../test/support/hub-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';

/** The environment without any SWITCHBOARD_* variable, so that each test sets exactly what it means. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) env[k] = v;
  return { ...env, SWITCHBOARD_LOG_LEVEL: 'warn', ...extra };
}
/** Runs the CLI to its exit (killed after 15 s: a start that does not fail would hang). */
function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

describe('switchboard CLI', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints usage for --help, start --help and help start, exiting 0', async () => {
    const cases = [
      ['start', '--help'],
      ['start', '-h'],
      ['help', 'start'],
    ];
    const [top, ...results] = await Promise.all([run(['--help']), ...cases.map((args) => run(args))]);
    assert.equal(top!.status, 0);
    assert.match(top!.stdout, /Usage: switchboard <command>/);
    assert.match(top!.stdout, /start/);
    for (const [i, args] of cases.entries()) {
      const r = results[i]!;
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /Usage: switchboard start/, args.join(' '));
      assert.match(r.stdout, /--port/);
      assert.match(r.stdout, /SWITCHBOARD_PORT/);
    }
  });

  it('exits non-zero for an unknown command or option', async () => {
    const [cmd, opt] = await Promise.all([run(['launch']), run(['start', '--prot', '1'])]);
    assert.notEqual(cmd.status, 0);
    assert.match(cmd.stderr, /unknown command "launch"/);
    assert.notEqual(opt.status, 0);
    assert.match(opt.stderr, /--prot/);
  });

  it('refuses a bad --port with a message and a non-zero exit', async () => {
    const ports = ['abc', '70000', '-1', '1.5'];
    const [env, ...results] = await Promise.all([
      run(['start', '--dev', '--data', tempDir()], { SWITCHBOARD_PORT: 'eighty' }),
      ...ports.map((port) => run(['start', `--port=${port}`, '--dev', '--data', tempDir()])),
    ]);
    for (const [i, port] of ports.entries()) {
      const r = results[i]!;
      assert.notEqual(r.status, 0, port);
      assert.notEqual(r.status, null, `${port}: exited by itself`);
      assert.match(r.stderr, /--port/, port);
      assert.doesNotMatch(r.stdout, /listening/, port);
    }
    assert.notEqual(env!.status, 0);
    assert.match(env!.stderr, /eighty/);
  });

  it('refuses to start without --dev and without a token secret, saying how to fix it', async () => {
    const r = await run(['start', '--port', '0', '--data', tempDir()]);
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, null);
    assert.match(r.stderr, /--dev/);
    assert.match(r.stderr, /--token-secret/);
    assert.doesNotMatch(r.stdout, /listening/);
  });

  it('stops gracefully on SIGTERM with exit code 0 and a message, closing sockets with 1001', async () => {
    const hub = await startHub();
    try {
      const { client } = await RawClient.connect(hub.wsUrl, 'stopper');
      assert.equal((await client.call({ op: 'pub', ch: 'stop.ch', type: 't', data: 1 })).op, 'ok');
      const code = await hub.stop();
      assert.equal(code, 0);
      assert.match(hub.output(), /stopping \(SIGTERM\)/);
      assert.match(hub.output(), /stopped/);
      await waitFor(() => client.closed !== undefined, 'the socket to be closed by the hub', 1000);
      assert.equal(client.closed?.code, 1001);
    } finally {
      await hub.cleanup();
    }
  });

  it('reads SWITCHBOARD_PORT, SWITCHBOARD_DEV, SWITCHBOARD_DATA and SWITCHBOARD_NODE_ID', async () => {
    const data = tempDir();
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: cleanEnv({ SWITCHBOARD_PORT: '0', SWITCHBOARD_DEV: '1', SWITCHBOARD_DATA: data, SWITCHBOARD_NODE_ID: 'env-node-7' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
        const onData = (b: Buffer) => {
          out += b.toString();
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((c) => {
          clearTimeout(t);
          reject(new Error(`exited ${c}: ${out}`));
        });
      });
      assert.notEqual(port, 7700, 'port 0 picked a free port');
      assert.match(out, new RegExp(`sqlite ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(out, /dev mode/);
      const { client, welcome } = await RawClient.connect(`ws://127.0.0.1:${port}/v1/ws`, 'env-client');
      assert.equal(welcome.op, 'welcome', 'dev mode: no token needed');
      assert.equal(welcome.node, 'env-node-7');
      await client.close();
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});

// --tls-cert / --tls-key: the hub serves https:// and wss:// only, the SDK connects with the certificate as its CA,
// plain http:// and ws:// get nowhere, and SIGHUP swaps in a renewed certificate for new connections.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { connect } from '@switchboard/client';
import { CLI } from '../../../test/support/hub-process.js';
import { makeSelfSignedCert } from '../../../test/support/tls-cert.js';
import { waitFor } from '../../../test/support/util.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-start-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const first = makeSelfSignedCert('hub-first', dir);
const renewed = makeSelfSignedCert('hub-renewed', dir);
const certFile = join(dir, 'live.cert.pem');
const keyFile = join(dir, 'live.key.pem');
copyFileSync(first.certFile, certFile);
copyFileSync(first.keyFile, keyFile);

function fingerprintAt(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca: [first.cert, renewed.cert], servername: 'localhost' }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

test('serves wss:// and https:// with the certificate, refuses plain, and reloads it on SIGHUP', async () => {
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'start', '--dev', '--port', '0', '--data', join(dir, 'data'), '--tls-cert', certFile, '--tls-key', keyFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const port = Number(
      (
        await waitFor(
          () => /listening on https:\/\/127\.0\.0\.1:(\d+) \(WebSocket wss:\/\//.exec(out) ?? false,
          () => `the banner: ${out}`,
          15_000,
        )
      )[1],
    );
    assert.match(out, /tls: certificate .*live\.cert\.pem \(reloaded on SIGHUP\)/);

    // the SDK, trusting the self-signed certificate
    const client = await connect({ url: `wss://127.0.0.1:${port}/v1/ws`, component: 'tls-sdk', tls: { ca: first.cert }, reconnect: false });
    assert.equal((await client.publish('tls.ch', 't', { over: 'wss' })).seq, 1);
    await client.close();

    // https, with the certificate as the CA
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet(`https://127.0.0.1:${port}/v1/channels/tls.ch/messages`, { ca: first.cert }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.deepEqual(
      (JSON.parse(body) as { messages: { data: unknown }[] }).messages.map((m) => m.data),
      [{ over: 'wss' }],
    );

    // without the CA the SDK refuses the certificate; plain http:// and ws:// get no answer
    await assert.rejects(
      connect({ url: `wss://127.0.0.1:${port}/v1/ws`, component: 'tls-sdk', reconnect: false, connectTimeoutMs: 3000, tls: {} }),
      (err: Error) => /self[- ]signed|certificate/i.test(err.message),
    );
    await assert.rejects(
      new Promise((resolve, reject) => httpGet(`http://127.0.0.1:${port}/healthz`, resolve).on('error', reject)),
      'plain HTTP is not served',
    );
    await assert.rejects(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, 'switchboard.v1');
        ws.on('open', resolve);
        ws.on('error', reject);
      }),
      'plain WebSocket is not served',
    );

    // SIGHUP with a renewed certificate in the same files
    assert.equal(await fingerprintAt(port), first.fingerprint);
    copyFileSync(renewed.certFile, certFile);
    copyFileSync(renewed.keyFile, keyFile);
    child.kill('SIGHUP');
    await waitFor(
      () => out.includes('reloaded the TLS certificate (SIGHUP)'),
      () => `the reload line: ${out}`,
      5000,
    );
    assert.equal(await fingerprintAt(port), renewed.fingerprint, 'new connections get the renewed certificate');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('a missing key, an unreadable file or a key of another certificate refuses to start', () => {
  const data = join(dir, 'data-bad');
  const noKey = runCli(['start', '--dev', '--port', '0', '--data', data, '--tls-cert', certFile]);
  assert.equal(noKey.status, 1);
  assert.match(noKey.stderr, /--tls-cert and --tls-key go together/);
  const missing = runCli(['start', '--dev', '--port', '0', '--data', data, '--tls-cert', join(dir, 'nope.pem'), '--tls-key', keyFile]);
  assert.match(missing.stderr, /cannot read the TLS certificate \(--tls-cert\) .*nope\.pem/);
  const mismatch = runCli(['start', '--dev', '--port', '0', '--data', data, '--tls-cert', first.certFile, '--tls-key', renewed.keyFile]);
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.stderr, /cannot be used together/);
});

// Python → hub → Java with numbers no double can hold: the bridge (`--orders`) publishes a 64-bit order id, a
// nanosecond timestamp and an 18-digit Decimal price as exact JSON text; the Java engine (`--echo`) reports the
// values and classes it parsed (long, long, BigDecimal) and publishes the data back, which a raw socket receives
// digit for digit.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, type HubProcess } from '../../test/support/hub-process.js';
import { RawClient } from '../../test/support/raw-client.js';
import { captureText } from '../../test/support/exact-json.js';
import { missingRuntimes } from './polyglot-parts.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORDERS = 3;
const skip = missingRuntimes('/usr/bin/python3');

let hub: HubProcess | undefined;
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await hub?.cleanup();
});

/** Starts a program; resolves with its stdout lines and exit code once it exits. `onLine` sees each line as it comes. */
function run(
  cmd: string,
  args: string[],
  cwd: string,
  onLine: (line: string) => void = () => {},
): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      onLine(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines, stderr })));
}

test('Python Decimal and 64-bit ints reach Java as long and BigDecimal, and come back exactly', { skip, timeout: 120_000 }, async () => {
  hub = await startHub({ contracts: join(HERE, 'contracts') });
  const watcher = (await RawClient.connect(hub.wsUrl, 'echo-watcher')).client;
  const texts = captureText(watcher);
  assert.equal((await watcher.call({ op: 'sub', ch: 'market.orders.echo' })).op, 'ok');

  let ready!: () => void;
  const engineReady = new Promise<void>((r) => {
    ready = r;
  });
  const engine = run(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      'Engine.java',
      '--url',
      hub.wsUrl,
      '--channel',
      'market.orders',
      '--group',
      'exact',
      '--from',
      'earliest',
      '--expect',
      String(ORDERS),
      '--idle-ms',
      '20000',
      '--warmup',
      '0',
      '--quiet',
      '--echo',
      'market.orders.echo',
    ],
    join(HERE, 'java'),
    (line) => {
      if (line.startsWith('ready core-engine ')) ready();
    },
  );
  await Promise.race([engineReady, engine.then((r) => assert.fail(`the engine exited before ready: ${r.lines.join('\n')}\n${r.stderr}`))]);

  const bridge = await run(
    '/usr/bin/python3',
    ['bridge.py', '--url', hub.wsUrl, '--orders', '--count', String(ORDERS), '--rate', '50', '--invalid-every', '0'],
    join(HERE, 'python'),
  );
  assert.equal(bridge.code, 0, `bridge: ${bridge.lines.join('\n')}\n${bridge.stderr}`);
  const sent = bridge.lines.filter((l) => l.startsWith('{"event":"order"')).map((l) => (JSON.parse(l) as { data: string }).data);
  assert.equal(sent.length, ORDERS);

  const result = await engine;
  assert.equal(result.code, 0, `engine: ${result.lines.join('\n')}\n${result.stderr}`);
  const parsed = result.lines.filter((l) => l.startsWith('{"event":"parsed"'));
  assert.equal(parsed.length, ORDERS);
  parsed.forEach((line, i) => {
    // What Java holds, written back by its own JSON writer, is the Python text: every digit survived both ways.
    assert.ok(line.includes('"data":' + sent[i]), `Java parsed order ${i + 1} exactly:\n  sent   ${sent[i]}\n  parsed ${line}`);
    assert.ok(line.includes('"types":{"order_id":"Long","ts_ns":"Long","price":"BigDecimal","side":"String"}'), line);
  });
  const ids = sent.map((s) => /"order_id":(\d+)/.exec(s)![1]!);
  assert.ok(
    ids.every((id) => BigInt(id) > 2n ** 53n),
    'the ids are beyond a double',
  );
  assert.match(sent[0]!, /"price":1\.08410000000000002,/, '18 significant digits, as Decimal wrote them');

  for (const data of sent) {
    const echo = await texts.next((t) => t.startsWith('{"op":"msg"') && t.includes('"data":' + data), 10_000);
    assert.ok(echo.includes('"source":"core-engine"'), echo);
  }
});

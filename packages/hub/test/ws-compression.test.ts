// permessage-deflate (config `compression: true`): clients that offer it get frames of 1 KiB and more compressed,
// byte-exact once inflated; a frame shared by subscribers is compressed once; clients that do not offer it, and hubs
// without the option, speak plain frames; compressed frames from clients are read, within the frame limit.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import WebSocket, { type PerMessageDeflateOptions } from 'ws';
import { useHub } from '../../../test/support/hub-fixture.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-compression-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'switchboard.yaml'), text);
  return join(dir, 'switchboard.yaml');
}

/** A raw v1 connection that records every text frame and counts the bytes its socket read. */
class Raw {
  readonly frames: string[] = [];
  private id = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(String(data)));
  }
  static async open(url: string, component: string, deflate: boolean | PerMessageDeflateOptions): Promise<Raw> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, 'switchboard.v1', { perMessageDeflate: deflate });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const r = new Raw(ws);
    await r.call({ op: 'hello', component });
    return r;
  }
  get bytesRead(): number {
    return (this.ws as unknown as { _socket: Socket })._socket.bytesRead;
  }
  async call(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ ...frame, id }));
    return (await this.next((f) => f.re === id)) as Record<string, unknown>;
  }
  /** The raw text of the next frame `match` accepts (parsed), taken off the list. */
  async nextText(match: (f: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((t) => match(JSON.parse(t) as Record<string, unknown>));
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no matching frame in ${timeoutMs} ms; got ${this.frames.map((f) => f.slice(0, 80)).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  async next(match: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return JSON.parse(await this.nextText(match)) as Record<string, unknown>;
  }
  close(): void {
    this.ws.close();
  }
}

/** A payload of about 20 kB whose text (spacing, digits no double holds, key order) must arrive as written. */
function bigPayload(tag: string): string {
  const rows = Array.from({ length: 200 }, (_, i) => `{"i": ${i},  "price": 1.08410000000000001, "venue":"XNAS-${i % 7}", "note": "row ${i} of ${tag}"}`);
  return `{"tag": "${tag}", "rows": [${rows.join(', ')}]}`;
}

async function publishText(url: string, ch: string, dataText: string): Promise<void> {
  const res = await fetch(`${url}/v1/channels/${ch}/messages`, { method: 'POST', body: `{"type":"tick","data":${dataText}}` });
  assert.equal(res.status, 201, await res.text());
}

describe('WebSocket compression on', () => {
  const fx = useHub({ config: configFile('compression: true\n') });

  it('compresses a large msg frame for a client that offers deflate, and its data text arrives exactly', async () => {
    const c = await Raw.open(fx.hub.url, 'deflating', true);
    assert.match(c.ws.extensions, /^permessage-deflate/, 'negotiated');
    await c.call({ op: 'sub', ch: 'big.ticks' });
    const text = bigPayload('one');
    const before = c.bytesRead;
    await publishText(fx.hub.url, 'big.ticks', text);
    const frame = await c.nextText((f) => f.op === 'msg');
    assert.ok(frame.includes(`"data":${text}`), 'the data is the publisher’s exact text, byte for byte');
    const onWire = c.bytesRead - before;
    assert.ok(onWire < text.length / 4, `the socket read ${onWire} bytes for a ${text.length}-byte payload`);
    c.close();
  });

  it('sends the same exact text to a deflating and a plain subscriber, one compressed frame shared by many', async () => {
    const deflating = await Promise.all([1, 2, 3].map((i) => Raw.open(fx.hub.url, `d${i}`, true)));
    const plain = await Raw.open(fx.hub.url, 'plain', false);
    assert.equal(plain.ws.extensions, '', 'a client that does not offer deflate gets plain frames');
    for (const c of [...deflating, plain]) await c.call({ op: 'sub', ch: 'big.shared' });
    const text = bigPayload('shared');
    const before = deflating.map((c) => c.bytesRead);
    const plainBefore = plain.bytesRead;
    await publishText(fx.hub.url, 'big.shared', text);
    for (const c of [...deflating, plain]) {
      const frame = await c.nextText((f) => f.op === 'msg');
      assert.ok(frame.includes(`"data":${text}`), `${c === plain ? 'plain' : 'deflating'}: the publisher’s exact text`);
    }
    const compressed = deflating.map((c, i) => c.bytesRead - before[i]!);
    assert.ok(
      compressed.every((n) => n === compressed[0]),
      `every deflating subscriber read the same bytes: ${compressed.join(', ')}`,
    );
    assert.ok(plain.bytesRead - plainBefore > text.length, 'the plain subscriber read the whole text');
    assert.ok(compressed[0]! < text.length / 4, `compressed: ${compressed[0]} bytes`);
    for (const c of [...deflating, plain]) c.close();
  });

  it('honours a smaller deflate window asked for by the client', async () => {
    const c = await Raw.open(fx.hub.url, 'small-window', { serverMaxWindowBits: 9 });
    await c.call({ op: 'sub', ch: 'big.window' });
    // Repeats farther apart than 512 bytes: a frame compressed with the default 32 KiB window would not inflate.
    const text = bigPayload('window');
    await publishText(fx.hub.url, 'big.window', text);
    const frame = await c.nextText((f) => f.op === 'msg');
    assert.ok(frame.includes(`"data":${text}`), 'inflated with a 512-byte window, the publisher’s exact text');
    c.close();
  });

  it('reads compressed frames from a client, and refuses one that inflates past the frame limit', async () => {
    const c = await Raw.open(fx.hub.url, 'sender', { threshold: 0 });
    const text = bigPayload('inbound');
    const r = await c.call({ op: 'pub', ch: 'big.inbound', type: 'tick', data: JSON.parse(text) });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send(JSON.stringify({ op: 'pub', id: 99, ch: 'big.inbound', type: 'tick', data: huge }));
    const answer = await Promise.race([c.next((f) => f.op === 'err').then((f) => f.code as string), closed.then((code) => `closed ${code}`)]);
    assert.ok(answer === 'TOO_LARGE' || answer === 'closed 1009', `a 2 MiB frame (a few kB compressed) is refused: ${answer}`);
    assert.equal((await limitRefusals(fx.hub.url)).frame_bytes, 1, 'counted by the frame limit, as an uncompressed frame');
    // past 4 × the limit once inflated, the socket is closed with 1009 (counted the same)
    const bomb = await Raw.open(fx.hub.url, 'bomb', { threshold: 0 });
    const bombClosed = new Promise<number>((resolve) => bomb.ws.once('close', (code) => resolve(code)));
    bomb.ws.send(JSON.stringify({ op: 'pub', ch: 'big.inbound', type: 'tick', data: 'y'.repeat(5 * 1024 * 1024) }));
    assert.equal(await bombClosed, 1009);
    assert.equal((await limitRefusals(fx.hub.url)).frame_bytes, 2);
  });
});

describe('WebSocket compression off (the default)', () => {
  const fx = useHub();

  it('does not negotiate deflate with a client that offers it', async () => {
    const c = await Raw.open(fx.hub.url, 'offering', true);
    assert.equal(c.ws.extensions, '');
    await c.call({ op: 'sub', ch: 'big.off' });
    const text = bigPayload('off');
    const before = c.bytesRead;
    await publishText(fx.hub.url, 'big.off', text);
    await c.next((f) => f.op === 'msg');
    assert.ok(c.bytesRead - before > text.length);
    c.close();
  });
});

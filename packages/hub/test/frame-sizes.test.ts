// Frames the hub writes itself (one Buffer with the WebSocket header): every length class of RFC 6455 (7-bit,
// 16-bit and 64-bit lengths) and multi-byte UTF-8 reach a standard client intact, on ephemeral and durable
// channels, for one subscriber and for several sharing one frame.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { fixture } from './fixtures/delivery-support.js';
import type { Envelope } from '@switchboard/protocol';

describe('frame sizes', () => {
  const fx = useHub({ config: fixture('ephemeral.yaml') });
  // envelope sizes around each length boundary: < 126, 126..65535, ≥ 65536 bytes
  const texts = ['', 'a', 'é€😀', 'x'.repeat(200), 'ü'.repeat(40_000), 'y'.repeat(70_000), 'z€'.repeat(150_000)];

  for (const ch of ['rtc.frames', 'frames.durable']) {
    it(`delivers every payload size byte for byte (${ch})`, async () => {
      const pub = await fx.connect('frame-publisher');
      const subs = [await fx.connect('frame-sub-a'), await fx.connect('frame-sub-b')];
      const ids: string[] = [];
      for (const s of subs) ids.push((await subscribe(s, { ch })).sub);
      for (const [i, text] of texts.entries()) {
        const ok = await pub.call({ op: 'pub', ch, type: 'text', data: { i, text } });
        assert.equal(ok.op, 'ok', JSON.stringify(ok).slice(0, 200));
      }
      for (const [k, s] of subs.entries()) {
        const got = await s.messages<Envelope<{ i: number; text: string }>>(ids[k]!, texts.length);
        assert.deepEqual(
          got.map((f) => f.msg.data.text),
          texts,
          `subscriber ${k} receives each text unchanged`,
        );
      }
    });
  }
});

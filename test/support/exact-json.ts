// Payloads whose numbers a JavaScript double cannot hold, and a way to read the exact text of the frames a
// RawClient receives: the payload-fidelity tests compare text, digit for digit, never parsed values.
import assert from 'node:assert/strict';
import type { RawClient } from './raw-client.js';

/**
 * `data` as a Python or Java publisher writes it: a 64-bit id, a nanosecond timestamp, a decimal with 18
 * significant digits, one beyond any float, and white space of its own. `JSON.parse` + `JSON.stringify` gives
 * `1764749280343123500`, `1.0841`, … instead.
 */
export const EXACT_DATA =
  '{"id": 1764749280343123457, "side": "buy", "ts_ns": 1764749280343123457, "price": 1.08410000000000001,\n "qty": 123456789012345678901234567890, "tiny": 1.0E-400, "neg": -0.0}';

/** `meta` with a number beyond 2^53 and a key order of its own. */
export const EXACT_META = '{"trace_seq": 9007199254740993, "correlation_id": "c-1"}';

/** The text of a frame with `fields` plus `data` (and `meta`) spliced in as the texts given. */
export function frameText(fields: Record<string, unknown>, dataText: string, metaText?: string): string {
  const head = JSON.stringify(fields).slice(0, -1);
  return head + ',"data":' + dataText + (metaText === undefined ? '' : ',"meta":' + metaText) + '}';
}

/** Every text frame a client receives, as received, from the moment {@link captureText} is called. */
export interface TextFrames {
  readonly texts: string[];
  /** Resolves with the first received text (seen or future) that `pred` accepts. */
  next(pred: (text: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** Starts recording the text of each frame `client` receives (beside its own parsed queue). */
export function captureText(client: RawClient): TextFrames {
  const texts: string[] = [];
  const waiters: { pred: (t: string) => boolean; resolve: (t: string) => void }[] = [];
  client.ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    texts.push(text);
    for (const w of waiters.splice(0)) {
      if (w.pred(text)) w.resolve(text);
      else waiters.push(w);
    }
  });
  return {
    texts,
    next(pred, timeoutMs = 5000) {
      const seen = texts.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no frame matched within ${timeoutMs} ms; received: ${texts.join('\n').slice(-2000)}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (text) => {
            clearTimeout(t);
            resolve(text);
          },
        });
      });
    },
  };
}

/** Asserts that `text` holds `"data":<dataText>` (and `"meta":<metaText>`) exactly as written by the publisher. */
export function assertExactPayload(text: string, dataText: string, metaText?: string, what = 'the frame'): void {
  assert.ok(text.includes('"data":' + dataText), `${what} must carry data exactly as published:\n  sent ${dataText}\n  got  ${text.slice(0, 1000)}`);
  if (metaText !== undefined)
    assert.ok(text.includes('"meta":' + metaText), `${what} must carry meta exactly as published:\n  sent ${metaText}\n  got  ${text.slice(0, 1000)}`);
}

import { randomFillSync } from 'node:crypto';

/** Hub-assigned envelope fields: a message id (UUID v4) and a timestamp (ISO 8601, UTC, milliseconds). */
export interface EnvelopeStamps {
  /** A random UUID v4 in its canonical 36-character form. */
  uuid(): string;
  /** The current time as `new Date().toISOString()` gives it. */
  isoNow(): string;
}

const BATCH = 256;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Stamps made for the publish path, one per message: `crypto.randomUUID()` builds each id from 36 one-character
 * pieces (about 600 bytes of garbage per id), and `toISOString` allocates a `Date` each time. Here the random bytes
 * of 256 ids are drawn at once and formatted into one byte buffer, so each id is a single 36-byte string, and the
 * ISO time is kept while the millisecond lasts.
 */
export function createEnvelopeStamps(now: () => number = Date.now): EnvelopeStamps {
  const random = Buffer.allocUnsafe(16 * BATCH);
  const text = Buffer.allocUnsafe(36 * BATCH);
  let next = BATCH;
  let isoMs = -1;
  let iso = '';
  const refill = () => {
    randomFillSync(random);
    for (let i = 0; i < BATCH; i++) {
      const r = i * 16;
      random[r + 6] = (random[r + 6]! & 0x0f) | 0x40; // version 4
      random[r + 8] = (random[r + 8]! & 0x3f) | 0x80; // variant 10
      let o = i * 36;
      for (let b = 0; b < 16; b++) {
        if (b === 4 || b === 6 || b === 8 || b === 10) text[o++] = 0x2d;
        const v = random[r + b]!;
        text[o++] = HEX[v >> 4]!;
        text[o++] = HEX[v & 15]!;
      }
    }
    next = 0;
  };
  return {
    uuid() {
      if (next === BATCH) refill();
      const o = next++ * 36;
      return text.toString('latin1', o, o + 36);
    },
    isoNow() {
      const ms = now();
      if (ms !== isoMs) {
        isoMs = ms;
        iso = new Date(ms).toISOString();
      }
      return iso;
    },
  };
}

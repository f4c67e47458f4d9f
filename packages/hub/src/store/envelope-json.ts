import type { Envelope } from '@switchboard/protocol';

/**
 * Serialises an envelope once, keys in protocol order (`id, ch, type, source, ts, seq, data, meta`; `meta` only
 * when present, `data` null when absent). Every store backend and the ephemeral path use it, so stored and live
 * messages have the same bytes. Throws when `data` or `meta` is not JSON-serialisable.
 */
export function encodeEnvelope(e: Envelope): string {
  const data = e.data === undefined ? null : e.data;
  return JSON.stringify(
    e.meta === undefined
      ? { id: e.id, ch: e.ch, type: e.type, source: e.source, ts: e.ts, seq: e.seq, data }
      : { id: e.id, ch: e.ch, type: e.type, source: e.source, ts: e.ts, seq: e.seq, data, meta: e.meta },
  );
}

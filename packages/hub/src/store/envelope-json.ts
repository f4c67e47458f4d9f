import type { Envelope } from '@switchboard/protocol';

/**
 * Serialises an envelope once, keys in protocol order (`id, ch, type, source, ts, seq, data, meta`; `meta` only
 * when present, `data` null when absent). Every store backend and the ephemeral path use it, so stored and live
 * messages have the same bytes.
 *
 * `dataText` and `metaText`, when given, are the publisher's own JSON text of `data` and `meta` (as
 * `rawMembers` of the protocol package cuts it out of the frame): they are written as they are, so that every
 * number keeps its digits; otherwise the value is written with `JSON.stringify`. Throws when a value without
 * its text is not JSON-serialisable.
 */
export function encodeEnvelope(e: Envelope, dataText?: string, metaText?: string): string {
  const head =
    '{"id":' +
    JSON.stringify(e.id) +
    ',"ch":' +
    JSON.stringify(e.ch) +
    ',"type":' +
    JSON.stringify(e.type) +
    ',"source":' +
    JSON.stringify(e.source) +
    ',"ts":' +
    JSON.stringify(e.ts) +
    ',"seq":' +
    e.seq +
    ',"data":' +
    (dataText ?? jsonText(e.data === undefined ? null : e.data));
  return e.meta === undefined ? head + '}' : head + ',"meta":' + (metaText ?? jsonText(e.meta)) + '}';
}

function jsonText(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError(`a ${typeof value} is not a JSON value`);
  return text;
}

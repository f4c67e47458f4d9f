import { SwitchboardError, type EnvelopeMeta, type FrameId, type RawFrame } from '@switchboard/protocol';

/** Longest `delay_ms` of a `nack` (longer ones are cut to it). */
const MAX_NACK_DELAY_MS = 3_600_000;

/** What an `ack` or `nack` frame asks, checked. */
export interface AckRequest {
  seq: number;
  /** The channel of the message, when one subscription (a pattern) covers several. */
  ch?: string;
  /** `nack` only: redeliver after this many ms (at most an hour). */
  delayMs: number;
}

/** Checks the fields of an `ack` or `nack` frame (beyond `sub`); throws BAD_FRAME saying what to send. */
export function checkAckFrame(op: 'ack' | 'nack', frame: RawFrame): AckRequest {
  const seq = frame.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw new SwitchboardError('BAD_FRAME', `"seq" must be the whole-number seq of the message to ${op}`);
  if (frame.ch !== undefined && typeof frame.ch !== 'string') throw new SwitchboardError('BAD_FRAME', '"ch" must be the channel name of the message');
  const ch = frame.ch as string | undefined;
  if (op === 'ack') return { seq, ...(ch !== undefined ? { ch } : {}), delayMs: 0 };
  const delay = frame.delay_ms ?? 0;
  if (typeof delay !== 'number' || !(delay >= 0)) throw new SwitchboardError('BAD_FRAME', '"delay_ms" must be a number of milliseconds ≥ 0');
  if (frame.reason !== undefined && typeof frame.reason !== 'string') throw new SwitchboardError('BAD_FRAME', '"reason" must be a string');
  return { seq, ...(ch !== undefined ? { ch } : {}), delayMs: Math.min(delay, MAX_NACK_DELAY_MS) };
}

/** What a `req` frame asks, checked. */
export interface OutgoingRequest {
  to: string;
  type: string;
  timeoutMs: number | undefined;
  meta: EnvelopeMeta | undefined;
}

/** Checks the fields of a `req` frame; throws BAD_FRAME saying what to send. */
export function checkRequestFrame(frame: RawFrame, id: FrameId | undefined): OutgoingRequest {
  if (id === undefined) throw new SwitchboardError('BAD_FRAME', '"req" needs an "id": the reply comes back as {"op":"ok","re":<id>,"data":…}');
  if (typeof frame.to !== 'string' || frame.to === '') throw new SwitchboardError('BAD_FRAME', '"to" must name the component to ask, e.g. "core-engine"');
  if (typeof frame.type !== 'string' || frame.type === '') throw new SwitchboardError('BAD_FRAME', '"type" must be a non-empty string naming the request type');
  const t = frame.timeout_ms;
  if (t !== undefined && (typeof t !== 'number' || !(t > 0))) throw new SwitchboardError('BAD_FRAME', '"timeout_ms" must be a number of milliseconds > 0');
  if (frame.meta !== undefined && (typeof frame.meta !== 'object' || frame.meta === null || Array.isArray(frame.meta)))
    throw new SwitchboardError('BAD_FRAME', '"meta" must be an object');
  return { to: frame.to, type: frame.type, timeoutMs: t as number | undefined, meta: frame.meta as EnvelopeMeta | undefined };
}

/**
 * The `ok` of a `pub`, `{"op":"ok","re":…,"seq":…}` (plus `"duplicate":true`), built without the intermediate
 * objects, as it is sent once per acked publish.
 */
export function pubOk(id: FrameId, seq: number, duplicate: boolean): string {
  return '{"op":"ok","re":' + (typeof id === 'number' ? String(id) : JSON.stringify(id)) + ',"seq":' + seq + (duplicate ? ',"duplicate":true}' : '}');
}

/** The `ok` of a `req` whose reply data is the responder's own JSON text, spliced in unchanged. */
export function replyOk(id: FrameId, dataText: string): string {
  return '{"op":"ok","re":' + JSON.stringify(id) + ',"data":' + dataText + '}';
}

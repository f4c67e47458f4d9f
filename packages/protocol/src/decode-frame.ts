import type { FrameId } from './frames.js';
import type { ErrorCode } from './errors.js';

/** A client frame as JSON gave it: an object whose fields are not checked yet beyond `id` and `op`. */
export type RawFrame = Record<string, unknown>;

/** What {@link decodeClientFrame} makes of one text frame: the frame with its `op` and `id`, or the refusal. */
export type DecodedFrame =
  | { ok: true; frame: RawFrame; op: string; id: FrameId | undefined }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** The `id` to answer with (`re`), when the frame was an object with a valid one. */
      id: FrameId | undefined;
      /** The parsed object, when the text was one. */
      frame: RawFrame | undefined;
    };

/**
 * Reads one client text frame: a JSON object with an `op` (a string, one of `knownOps`) and an optional `id`
 * (a number or a string). Never throws; a refusal carries the protocol error code and a message that says what to
 * change (`BAD_FRAME`, or `UNKNOWN_OP` for an op outside `knownOps`).
 */
export function decodeClientFrame(text: string, knownOps: ReadonlySet<string>): DecodedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return refuse('BAD_FRAME', `frame is not valid JSON (${(err as Error).message}); send one JSON object per text frame`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('BAD_FRAME', 'frame must be a JSON object such as {"op":"ping","id":1}');
  }
  const frame = value as RawFrame;
  const rawId = frame.id;
  const id = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : undefined;
  if (rawId !== undefined && id === undefined) return refuse('BAD_FRAME', '"id" must be a number or a string', undefined, frame);
  const op = frame.op;
  if (typeof op !== 'string') return refuse('BAD_FRAME', 'frame has no "op"; every frame needs one, e.g. {"op":"ping"}', id, frame);
  if (!knownOps.has(op)) return refuse('UNKNOWN_OP', `unknown op "${op.slice(0, 64)}"; known ops: ${[...knownOps].join(', ')}`, id, frame);
  return { ok: true, frame, op, id };
}

function refuse(code: ErrorCode, message: string, id?: FrameId, frame?: RawFrame): DecodedFrame {
  return { ok: false, code, message, id, frame };
}

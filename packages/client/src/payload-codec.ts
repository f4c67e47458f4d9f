import { PAYLOAD_MEMBERS, rawMembers, withMember } from '@switchboard/protocol';

/** Turns the JSON text of one payload (`data` or `meta`) into a value, e.g. a lossless JSON parser. */
export type PayloadParse = (text: string) => unknown;
/** Turns one payload value into JSON text, e.g. the matching lossless JSON stringify. */
export type PayloadStringify = (value: unknown) => string;

type Frame = Record<string, unknown>;

/**
 * How the client reads and writes frames. By default `JSON.parse` / `JSON.stringify` of the whole frame. With a
 * custom `parse`, the frame is still read with `JSON.parse` (the SDK's own fields are plain numbers and strings),
 * then `data` and `meta` of `msg`, `req` and reply (`ok`) frames are read again from their own text with `parse`;
 * with a custom `stringify`, `data` and `meta` of outgoing frames are written with it.
 */
export interface FrameCodec {
  encode(frame: object): string;
  /** The frame, or undefined when the text is not a JSON object. Throws when the text is not JSON. */
  decode(text: string): Frame | undefined;
}

/** A {@link FrameCodec} using `parse` and `stringify` for payloads (each optional). */
export function frameCodec(parse?: PayloadParse, stringify?: PayloadStringify): FrameCodec {
  return {
    encode: stringify ? (frame) => encodeWith(frame as Frame, stringify) : (frame) => JSON.stringify(frame),
    decode(text) {
      const f = JSON.parse(text) as unknown;
      if (f === null || typeof f !== 'object' || Array.isArray(f)) return undefined;
      if (parse) revive(f as Frame, text, parse);
      return f as Frame;
    },
  };
}

function encodeWith(frame: Frame, stringify: PayloadStringify): string {
  const { data, meta, ...rest } = frame;
  let text = JSON.stringify(rest);
  if (data !== undefined) text = withMember(text, 'data', stringify(data))!;
  if (meta !== undefined) text = withMember(text, 'meta', stringify(meta))!;
  return text;
}

function revive(f: Frame, text: string, parse: PayloadParse): void {
  if (f.op === 'msg' && f.msg !== null && typeof f.msg === 'object') {
    const envelope = rawMembers(text, ['msg'])?.msg;
    if (envelope !== undefined) replace(f.msg as Frame, envelope, parse);
  } else if (f.op === 'req' || (f.op === 'ok' && 'data' in f)) {
    replace(f, text, parse);
  }
}

/** Replaces `data` and `meta` of `target` (parsed from `objectText`) with `parse` of their own texts. */
function replace(target: Frame, objectText: string, parse: PayloadParse): void {
  const raw = rawMembers(objectText, PAYLOAD_MEMBERS);
  if (raw?.data !== undefined) target.data = parse(raw.data);
  if (raw?.meta !== undefined) target.meta = parse(raw.meta);
}

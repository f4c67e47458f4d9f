import { constants, deflateRawSync } from 'node:zlib';
import type { SharedFrame } from '../delivery/frames.js';

/** Text frames at least this long are compressed for a connection that negotiated permessage-deflate. */
export const COMPRESS_MIN_BYTES = 1024;
/** Longer frames go uncompressed: compressing them would hold the event loop too long (about 3 ms per 256 KiB). */
export const COMPRESS_MAX_BYTES = 256 * 1024;
/** The empty stored block that ends a sync flush; RFC 7692 §7.2.1 has the sender drop it. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A WebSocket frame header (RFC 6455 §5.2): FIN, `rsv1` when compressed, opcode text; no mask (server to client). */
function withHeader(payload: Buffer | string, rsv1: boolean): Buffer {
  const n = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const h = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const b = Buffer.allocUnsafe(h + n);
  b[0] = rsv1 ? 0xc1 : 0x81;
  if (h === 2) b[1] = n;
  else if (h === 4) {
    b[1] = 126;
    b.writeUInt16BE(n, 2);
  } else {
    b[1] = 127;
    b.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    b.writeUInt32BE(n >>> 0, 6);
  }
  if (typeof payload === 'string') b.write(payload, h, 'utf8');
  else payload.copy(b, h);
  return b;
}

/**
 * One final, unmasked text frame (RFC 6455 §5.2), header and UTF-8 payload in one Buffer: `ws` frames a payload
 * into a separate header Buffer and needs the payload as a Buffer first, two more allocations and a copy.
 */
export function frameText(text: string): Buffer {
  return withHeader(text, false);
}

/**
 * The frame of `text` compressed as one permessage-deflate message (RFC 7692) without context takeover, so the
 * same bytes suit every connection that negotiated `server_no_context_takeover` with this window size.
 */
export function frameDeflated(text: string, windowBits: number): Buffer {
  const z = deflateRawSync(text, { windowBits, level: 1, finishFlush: constants.Z_SYNC_FLUSH });
  const body = z.length >= 4 && z.subarray(z.length - 4).equals(TAIL) ? z.subarray(0, z.length - 4) : z;
  return withHeader(body, true);
}

/**
 * What a connection can read: `undefined` for plain frames, or the deflate window (bits) of its negotiated
 * permessage-deflate (`Sec-WebSocket-Extensions` as accepted, e.g. `permessage-deflate; server_no_context_takeover`).
 */
export function deflateWindow(extensions: string): number | undefined {
  if (!/^permessage-deflate\b/.test(extensions) || !/server_no_context_takeover/.test(extensions)) return undefined;
  const bits = /server_max_window_bits=(\d+)/.exec(extensions);
  const n = bits ? Number(bits[1]) : 15;
  return n >= 9 && n <= 15 ? n : undefined;
}

/** The encodings of a shared frame, made once each and written to every subscriber's socket. */
interface WireForms {
  plain?: Buffer;
  deflated?: Map<number, Buffer>;
}

/** The bytes of `f` for a connection (`window`: see {@link deflateWindow}), encoded once per form for all of them. */
export function sharedWire(f: SharedFrame, window: number | undefined): Buffer {
  const forms = (f.wire ??= {}) as WireForms;
  if (window === undefined || !compressible(f.text)) return (forms.plain ??= frameText(f.text));
  forms.deflated ??= new Map();
  let b = forms.deflated.get(window);
  if (!b) {
    b = frameDeflated(f.text, window);
    forms.deflated.set(window, b);
  }
  return b;
}

/** The bytes of a frame sent to one connection only. */
export function singleWire(text: string, window: number | undefined): Buffer {
  return window !== undefined && compressible(text) ? frameDeflated(text, window) : frameText(text);
}

function compressible(text: string): boolean {
  return text.length >= COMPRESS_MIN_BYTES && text.length <= COMPRESS_MAX_BYTES;
}

import type { AppendInput } from '../store.js';
import { encodeEnvelope } from '../envelope-json.js';

/**
 * The bytes stored in a channel stream: the envelope as {@link encodeEnvelope} writes it, with `seq` 0.
 * The stream sequence is known only once the server stored the message, so the real `seq` is written into
 * the text on the way out ({@link withSeq}).
 */
export function storedEnvelope(ch: string, input: AppendInput): string {
  return encodeEnvelope(
    { id: input.id, ch, type: input.type, source: input.source, ts: input.ts, seq: 0, data: input.data, meta: input.meta },
    input.dataText,
    input.metaText,
  );
}

/**
 * The stored text with its real `seq`. The first `"seq":0,` is the envelope's own key: the keys before it
 * (`id`, `ch`, `type`, `source`, `ts`) hold strings, and a quote inside a JSON string is always escaped.
 */
export function withSeq(stored: string, seq: number): string {
  return stored.replace('"seq":0,', `"seq":${seq},`);
}

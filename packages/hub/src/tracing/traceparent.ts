// The W3C `traceparent` in an envelope's meta: set in the publisher's meta text without re-encoding it, and read
// back from a stored envelope's text without parsing the payload. No OpenTelemetry import: the hub loads the SDK
// only when tracing is on.
import { rawMembers, withMember, withoutMember, type EnvelopeMeta } from '@switchboard/protocol';

/** The W3C Trace Context header of a span context: `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${traceFlags < 16 ? '0' : ''}${(traceFlags & 0xff).toString(16)}`;
}

/**
 * The meta to store, with `traceparent` set: the value, and the publisher's text with the member replaced (added
 * at its end, the rest of the text as written), or `undefined` text when there was none (the store encodes the value).
 */
export function withTraceparent(
  meta: EnvelopeMeta | undefined,
  metaText: string | undefined,
  traceparent: string,
): { meta: EnvelopeMeta; metaText: string | undefined } {
  const next: EnvelopeMeta = { ...meta, traceparent };
  if (metaText === undefined) return { meta: next, metaText: undefined };
  const base = meta !== undefined && Object.hasOwn(meta, 'traceparent') ? withoutMember(metaText, 'traceparent') : metaText;
  return { meta: next, metaText: base === undefined ? undefined : withMember(base, 'traceparent', JSON.stringify(traceparent)) };
}

const TAIL_KEY = '"traceparent":"';
/** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const TRACEPARENT_LENGTH = 55;
const ID_HEAD = '{"id":"';

/**
 * The envelope's `id` and `meta.traceparent`, read from its text. The hub writes the envelope's members in protocol
 * order with `meta` last, and puts `traceparent` at the end of `meta`, so both are found without scanning `data`;
 * any other text is read with {@link rawMembers}.
 */
export function envelopeTraceFields(json: string): { id?: string; traceparent?: string } {
  let id: string | undefined;
  if (json.startsWith(ID_HEAD)) {
    const end = json.indexOf('"', ID_HEAD.length);
    if (end > 0 && json.lastIndexOf('\\', end) < ID_HEAD.length) id = json.slice(ID_HEAD.length, end);
  }
  const keyAt = json.length - 3 - TRACEPARENT_LENGTH - TAIL_KEY.length;
  if (keyAt > 0 && json.endsWith('"}}') && json.startsWith(TAIL_KEY, keyAt)) {
    const before = json.charCodeAt(keyAt - 1);
    if (before === 0x2c || before === 0x7b) {
      const traceparent = json.slice(keyAt + TAIL_KEY.length, json.length - 3);
      if (id !== undefined) return { id, traceparent };
    }
  }
  return slowFields(json, id);
}

function slowFields(json: string, id: string | undefined): { id?: string; traceparent?: string } {
  const members = rawMembers(json, ['id', 'meta']);
  const out: { id?: string; traceparent?: string } = {};
  const idText = id ?? parseString(members?.id);
  if (idText !== undefined) out.id = idText;
  const metaText = members?.meta;
  if (metaText === undefined) return out;
  const tp = parseString(rawMembers(metaText, ['traceparent'])?.traceparent);
  if (tp !== undefined) out.traceparent = tp;
  return out;
}

function parseString(text: string | undefined): string | undefined {
  if (text === undefined || text.charCodeAt(0) !== 0x22) return undefined;
  try {
    return JSON.parse(text) as string;
  } catch {
    return undefined;
  }
}

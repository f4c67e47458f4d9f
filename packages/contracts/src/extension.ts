import { parseDuration } from './duration.js';
import { child, isObject, type Loc, type SourceRegistry } from './source-files.js';

/** Name of the AsyncAPI channel extension that carries Switchboard's settings. */
export const EXTENSION_KEY = 'x-switchboard';

/** Whether a channel keeps a log (`durable`) or only forwards to current subscribers (`ephemeral`). */
export type ChannelMode = 'durable' | 'ephemeral';

/** How much of a durable channel's log is kept. Whichever limit is reached first applies. */
export type RetentionPolicy = {
  /** Keep at most this many messages (a positive integer). */
  max_messages?: number;
  /** Keep messages at most this long: a duration such as `'7d'`, `'1h'`, `'30m'`, or a number of milliseconds. */
  max_age?: string | number;
};

/** The `x-switchboard` object of a channel, as written in the contract (validated, not rewritten). */
export type SwitchboardExtension = {
  mode?: ChannelMode;
  retention?: RetentionPolicy;
};

const MODES: readonly ChannelMode[] = ['durable', 'ephemeral'];
const TOP_KEYS = ['mode', 'retention'];
const RETENTION_KEYS = ['max_messages', 'max_age'];

/** Checks the shape of an `x-switchboard` object at `loc` and returns it; `{}` when absent. */
export function readExtension(reg: SourceRegistry, loc: Loc, value: unknown): SwitchboardExtension {
  if (value === undefined) return {};
  if (!isObject(value)) reg.fail(loc, `${EXTENSION_KEY} must be a mapping`, 'write it as a mapping, e.g. { mode: durable, retention: { max_age: 7d } }');
  unknownKeys(reg, loc, value, TOP_KEYS, EXTENSION_KEY);
  const out: SwitchboardExtension = {};
  if (value.mode !== undefined) {
    if (!MODES.includes(value.mode as ChannelMode)) {
      reg.fail(child(loc, 'mode'), `${EXTENSION_KEY}.mode is ${JSON.stringify(value.mode)}`, 'set mode to durable or ephemeral');
    }
    out.mode = value.mode as ChannelMode;
  }
  if (value.retention !== undefined) {
    const rLoc = child(loc, 'retention');
    const r = value.retention;
    if (!isObject(r)) reg.fail(rLoc, `${EXTENSION_KEY}.retention must be a mapping`, 'write it as { max_messages: 100000, max_age: 7d }');
    unknownKeys(reg, rLoc, r, RETENTION_KEYS, `${EXTENSION_KEY}.retention`);
    const retention: RetentionPolicy = {};
    if (r.max_messages !== undefined) {
      if (typeof r.max_messages !== 'number' || !Number.isSafeInteger(r.max_messages) || r.max_messages < 1) {
        reg.fail(
          child(rLoc, 'max_messages'),
          `retention.max_messages is ${JSON.stringify(r.max_messages)}`,
          'set max_messages to a positive whole number, e.g. 100000',
        );
      }
      retention.max_messages = r.max_messages;
    }
    if (r.max_age !== undefined) {
      const at = child(rLoc, 'max_age');
      if (typeof r.max_age !== 'string' && typeof r.max_age !== 'number') {
        reg.fail(at, `retention.max_age is ${JSON.stringify(r.max_age)}`, 'set max_age to a duration such as 7d, 12h, 30m or a number of milliseconds');
      }
      let ms: number;
      try {
        ms = parseDuration(r.max_age);
      } catch (e) {
        reg.fail(
          at,
          `retention.max_age is ${JSON.stringify(r.max_age)}, not a duration`,
          'set max_age to a duration such as 7d, 12h, 30m, 500ms or a number of milliseconds',
          e,
        );
      }
      if (ms <= 0) reg.fail(at, 'retention.max_age is zero', 'set max_age above zero, or remove it to keep messages without an age limit');
      retention.max_age = r.max_age;
    }
    out.retention = retention;
  }
  return out;
}

function unknownKeys(reg: SourceRegistry, loc: Loc, value: Record<string, unknown>, allowed: string[], what: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) {
      reg.fail(child(loc, k), `${what} has an unknown key "${k}"`, `use only ${allowed.join(', ')} (check the spelling)`);
    }
  }
}

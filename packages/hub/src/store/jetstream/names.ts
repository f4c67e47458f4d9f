import { createHash } from 'node:crypto';

/**
 * How Switchboard names its JetStream objects. Channel, group and bucket names may hold characters that
 * stream, consumer and bucket names may not (`.`, `*`, `>`, `$`), so each object is named after a hash of
 * the Switchboard name and keeps that name in its `description`. `namespace` separates several hubs (or
 * tests) sharing one NATS account.
 */
export interface JetStreamNames {
  readonly namespace: string;
  /** Stream of one durable channel. */
  stream(ch: string): string;
  /** The one subject of that stream. */
  subject(ch: string): string;
  /** Subject filter matching every channel stream of this namespace. */
  allChannelSubjects(): string;
  /** Durable consumer of one group. */
  consumer(group: string): string;
  /** KV bucket of one Switchboard bucket. */
  bucket(name: string): string;
  /** The key as stored in the KV bucket (valid NATS keys as they are, other keys encoded). */
  key(key: string): string;
  /** The Switchboard key of a key as stored (the reverse of {@link JetStreamNames.key}). */
  unkey(stored: string): string;
  /** Core NATS subject prefix of the cluster bus. */
  bus(suffix: string): string;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,32}$/;
const PLAIN_KEY = /^[-/_=A-Za-z0-9]+(\.[-/_=A-Za-z0-9]+)*$/;

/** Checks `namespace` (letters, digits, `_` and `-`, up to 32) and returns the naming scheme. */
export function jetStreamNames(namespace: string): JetStreamNames {
  const subjects = new Map<string, string>();
  if (!NAMESPACE.test(namespace)) {
    throw new Error(`namespace "${namespace}" must be 1 to 32 letters, digits, "_" or "-", e.g. "sb"`);
  }
  return {
    namespace,
    stream: (ch) => `${namespace}_ch_${hash(ch)}`,
    subject: (ch) => {
      let s = subjects.get(ch);
      if (s === undefined) {
        s = `${namespace}.ch.${hash(ch)}`;
        if (subjects.size < 100_000) subjects.set(ch, s);
      }
      return s;
    },
    allChannelSubjects: () => `${namespace}.ch.*`,
    consumer: (group) => `g_${hash(group)}`,
    bucket: (name) => `${namespace}_kv_${hash(name)}`,
    key: (key) => (PLAIN_KEY.test(key) && !key.startsWith('b64.') ? key : `b64.${Buffer.from(key).toString('base64url') || '_'}`),
    unkey: (stored) => (stored.startsWith('b64.') ? (stored === 'b64._' ? '' : Buffer.from(stored.slice(4), 'base64url').toString()) : stored),
    bus: (suffix) => `${namespace}.bus.${suffix}`,
  };
}

/** 20 hex digits of the SHA-256 of `name`. */
export function hash(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 20);
}

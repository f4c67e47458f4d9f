// Frames for the malformed-input test: each with what it is sent as and the answers a hub may give it.
// The wrong-type cases are generated from the protocol's op list (CLIENT_OPS): the table below names each op's
// fields and the JSON types each accepts, and a test fails when an op is missing from it.
import { CLIENT_OPS, type ClientOp } from '@switchboard/protocol';

/** One frame to send and the answers it may get. */
export interface FuzzFrame {
  /** Family, for the report. */
  kind: string;
  payload: string | Buffer;
  /** Sent as a binary WebSocket frame. */
  binary?: boolean;
  /** The frame's `id` when its answer carries `re`; undefined when the answer comes without `re`. */
  id?: number;
  /** Acceptable answers: error codes, or the op of a non-error answer (`ok`, `pong`, `welcome`). */
  expect: string[];
}

type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** The JSON values of each type that the wrong-type cases put in a field. */
const VALUES: [JsonType, unknown][] = [
  ['number', 42],
  ['number', -1.5],
  ['string', 'text'],
  ['string', ''],
  ['boolean', true],
  ['boolean', false],
  ['null', null],
  ['array', []],
  ['array', [1, 'a']],
  ['object', {}],
  ['object', { a: 1 }],
];

/** Subscription id of the attacker's manual-ack subscription (its first `sub`). */
export const ATTACKER_SUB = 's1';
/** Channel of that subscription. */
export const ATTACKER_SUB_CH = 'rel.fuzz.acks';

/**
 * Each client op: a frame that would be valid, and the JSON types each field accepts (`any`: every JSON value).
 * `id` (number or string) is added to every op. `null` is listed where the hub treats it as "absent".
 */
export const OP_FIELDS: Record<ClientOp, { base: Record<string, unknown>; fields: Record<string, JsonType[] | 'any'> }> = {
  hello: {
    base: { op: 'hello', component: 'fuzz-hello', version: '1.0.0' },
    fields: { token: ['string'], component: ['string'], version: ['string'], resume: ['string'], info: ['object'] },
  },
  ping: { base: { op: 'ping' }, fields: {} },
  refresh: { base: { op: 'refresh', token: 'not.a.jwt' }, fields: { token: ['string'] } },
  pub: {
    base: { op: 'pub', ch: 'rel.fuzz.pub', type: 't', data: {}, msg_id: 'm', meta: {} },
    fields: { ch: ['string'], type: ['string'], data: 'any', msg_id: ['string', 'null'], meta: ['object', 'null'] },
  },
  sub: {
    base: { op: 'sub', ch: 'rel.fuzz.sub', from: 'latest', group: 'g', ack: 'auto', max_inflight: 10, presence: false },
    fields: {
      ch: ['string'],
      from: ['string', 'number'],
      group: ['string'],
      ack: ['string'],
      max_inflight: ['number'],
      presence: ['boolean'],
      info: ['object'],
    },
  },
  ack: { base: { op: 'ack', sub: ATTACKER_SUB, seq: 1, ch: ATTACKER_SUB_CH }, fields: { sub: ['string'], seq: ['number'], ch: ['string'] } },
  nack: {
    base: { op: 'nack', sub: ATTACKER_SUB, seq: 1, ch: ATTACKER_SUB_CH, delay_ms: 0, reason: 'r' },
    fields: { sub: ['string'], seq: ['number'], ch: ['string'], delay_ms: ['number', 'null'], reason: ['string'] },
  },
  unsub: { base: { op: 'unsub', sub: ATTACKER_SUB }, fields: { sub: ['string'] } },
  req: {
    base: { op: 'req', to: 'fuzz-nobody', type: 'q', data: {}, timeout_ms: 100, meta: {} },
    fields: { to: ['string'], type: ['string'], data: 'any', timeout_ms: ['number'], meta: ['object'] },
  },
  'doc.sub': { base: { op: 'doc.sub', doc: 'rel/fuzz' }, fields: { doc: ['string'] } },
  'doc.unsub': { base: { op: 'doc.unsub', doc: 'rel/fuzz' }, fields: { doc: ['string'] } },
  'doc.update': {
    base: { op: 'doc.update', doc: 'rel/fuzz', ops: [{ op: 'inc', path: '/n', value: 1 }], if_version: 0 },
    fields: { doc: ['string'], ops: ['array'], if_version: ['number'] },
  },
  presence: { base: { op: 'presence', ch: 'rel.fuzz.sub' }, fields: { ch: ['string'] } },
  reply: {
    base: { op: 'reply', rid: 'r-none', data: {}, error: { code: 'INTERNAL', message: 'x' } },
    fields: { rid: ['string'], data: 'any', error: ['object', 'null'] },
  },
};

/** The ops of the protocol that {@link OP_FIELDS} does not describe (must be empty). */
export function undescribedOps(): string[] {
  return CLIENT_OPS.filter((op) => !(op in OP_FIELDS));
}

/** A frame of `op` with one field set to a value of a wrong type; `id` absent when `field` is `id` itself. */
export interface WrongTypeCase {
  op: ClientOp;
  field: string;
  frame: (id: number) => { payload: string; id?: number };
}

/** Every field of every op with every value of a type it does not accept. */
export function wrongTypeCases(): WrongTypeCase[] {
  const out: WrongTypeCase[] = [];
  for (const op of CLIENT_OPS) {
    const { base, fields } = OP_FIELDS[op];
    const all: Record<string, JsonType[] | 'any'> = { id: ['number', 'string'], ...fields };
    for (const [field, accepts] of Object.entries(all)) {
      if (accepts === 'any') continue;
      for (const [type, value] of VALUES) {
        if (accepts.includes(type)) continue;
        out.push({
          op,
          field,
          frame: (id) =>
            field === 'id' ? { payload: JSON.stringify({ ...base, id: value }) } : { payload: JSON.stringify({ ...base, id, [field]: value }), id },
        });
      }
    }
  }
  return out;
}

/** A small seeded random generator (mulberry32), so that a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NEST = 10_000;

/**
 * Frames other than the wrong-type ones, by family; `id` is the frame id to use. `rnd` drives the random ones.
 * Families answered without `re` (unreadable frames) expect BAD_FRAME or TOO_LARGE in order.
 */
export function makeFrame(kind: string, id: number, rnd: () => number): FuzzFrame {
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  switch (kind) {
    case 'random-binary':
      return { kind, payload: bytes(1 + Math.floor(rnd() * 512)), binary: true, expect: ['BAD_FRAME'] };
    case 'random-text':
      return { kind, payload: bytes(1 + Math.floor(rnd() * 512)), expect: ['BAD_FRAME'] };
    case 'truncated-json': {
      const whole = JSON.stringify(
        pick([
          { op: 'pub', id, ch: 'rel.fuzz.pub', type: 't', data: { a: [1, 2, { b: 'c' }] } },
          { op: 'sub', id, ch: 'rel.fuzz.>', from: 0 },
          { op: 'ping', id },
        ]),
      );
      return { kind, payload: whole.slice(0, 1 + Math.floor(rnd() * (whole.length - 1))), expect: ['BAD_FRAME'] };
    }
    case 'not-an-object':
      return {
        kind,
        payload: pick(['42', '-0.5', '"text"', 'null', 'true', 'false', '[]', '[{"op":"ping","id":1}]', '"{\\"op\\":\\"ping\\"}"', '   ', '']),
        expect: ['BAD_FRAME'],
      };
    case 'invalid-utf8': {
      const text = Buffer.from(`{"op":"ping","id":${id},"x":"ab`);
      return {
        kind,
        payload: Buffer.concat([
          text,
          Buffer.from(pick([[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]])),
          Buffer.from('"}'),
        ]),
        expect: ['BAD_FRAME'],
      };
    }
    case 'unknown-op':
      return {
        kind,
        payload: JSON.stringify({ op: pick(['frobnicate', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'welcome', 'msg', 'PUB', '']), id }),
        id,
        expect: ['UNKNOWN_OP'],
      };
    case 'proto-keys':
      return { kind, ...pick(protoCases)(id) };
    case 'deep': {
      const arr = '['.repeat(NEST) + ']'.repeat(NEST);
      const obj = '{"a":'.repeat(NEST) + '1' + '}'.repeat(NEST);
      return {
        kind,
        ...pick<(i: number) => Omit<FuzzFrame, 'kind'>>([
          (i) => ({ payload: `{"op":"pub","id":${i},"ch":"rel.fuzz.deep","type":"t","data":${arr}}`, id: i, expect: ['ok', 'BAD_FRAME'] }),
          (i) => ({ payload: `{"op":"pub","id":${i},"ch":"rel.fuzz.deep","type":"t","data":{},"meta":${obj}}`, id: i, expect: ['ok', 'BAD_FRAME'] }),
          (i) => ({
            payload: `{"op":"pub","id":${i},"ch":"rel.eph.deep","type":"t","data":${'['.repeat(10 * NEST)}${']'.repeat(10 * NEST)}}`,
            id: i,
            expect: ['ok', 'BAD_FRAME'],
          }),
          (i) => ({ payload: `{"op":"ping","id":${i},"x":${obj}}`, id: i, expect: ['pong'] }),
          () => ({ payload: arr, expect: ['BAD_FRAME'] }),
          () => ({ payload: obj, expect: ['BAD_FRAME'] }),
        ])(id),
      };
    }
    default:
      throw new Error(`unknown frame family ${kind}`);
  }
}

/** `__proto__` and `constructor` as keys and as names: nothing is inherited, nothing is polluted. */
const protoCases: ((id: number) => Omit<FuzzFrame, 'kind'>)[] = [
  (id) => ({ payload: `{"__proto__":{"op":"ping"},"id":${id}}`, id, expect: ['BAD_FRAME'] }),
  (id) => ({ payload: `{"constructor":{"op":"ping"},"id":${id}}`, id, expect: ['BAD_FRAME'] }),
  (id) => ({ payload: `{"op":"sub","id":${id},"__proto__":{"ch":"rel.fuzz.proto"}}`, id, expect: ['BAD_FRAME'] }),
  (id) => ({ payload: `{"op":"pub","id":${id},"__proto__":{"ch":"rel.fuzz.proto","type":"t"},"data":{}}`, id, expect: ['BAD_FRAME'] }),
  (id) => ({
    payload: `{"op":"pub","id":${id},"ch":"rel.fuzz.proto","type":"t","data":{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}}},"meta":{"__proto__":{"priority":"urgent"}}}`,
    id,
    expect: ['ok'],
  }),
  (id) => ({ payload: `{"op":"pub","id":${id},"ch":"__proto__","type":"constructor","data":{}}`, id, expect: ['ok'] }),
  (id) => ({ payload: `{"op":"pub","id":${id},"ch":"constructor.prototype","type":"__proto__","data":{},"msg_id":"__proto__"}`, id, expect: ['ok'] }),
  (id) => ({ payload: `{"op":"ack","id":${id},"sub":"__proto__","seq":1}`, id, expect: ['NOT_FOUND'] }),
  (id) => ({ payload: `{"op":"nack","id":${id},"sub":"constructor","seq":1}`, id, expect: ['NOT_FOUND'] }),
  (id) => ({ payload: `{"op":"unsub","id":${id},"sub":"__proto__"}`, id, expect: ['NOT_FOUND'] }),
  (id) => ({ payload: `{"op":"reply","id":${id},"rid":"__proto__","data":{}}`, id, expect: ['NOT_FOUND'] }),
  (id) => ({ payload: `{"op":"reply","id":${id},"rid":"constructor","data":{}}`, id, expect: ['NOT_FOUND'] }),
  (id) => ({ payload: `{"op":"req","id":${id},"to":"__proto__","type":"q","data":{}}`, id, expect: ['UNAVAILABLE'] }),
  (id) => ({ payload: `{"op":"req","id":${id},"to":"constructor","type":"toString","data":{}}`, id, expect: ['UNAVAILABLE'] }),
  (id) => ({ payload: `{"op":"hello","id":${id},"component":"__proto__"}`, id, expect: ['BAD_FRAME'] }),
];

/** Frame families of the main stream and their weights (frames per round of the stream). */
export const FAMILIES: [string, number][] = [
  ['wrong-type', 10],
  ['random-binary', 2],
  ['random-text', 2],
  ['truncated-json', 2],
  ['not-an-object', 1],
  ['invalid-utf8', 1],
  ['unknown-op', 1],
  ['proto-keys', 1],
];

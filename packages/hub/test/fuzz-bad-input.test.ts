// Bad input at volume, bounded for CI: fast-check properties over the frame decoder (random text and random frames of
// every op), JSON Patch and inc (random doc.update ops) and the token parser (random and JWT-shaped strings), all
// against a real hub. No crash, no INTERNAL: every refusal is a protocol code, and the hub answers a ping after.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CLIENT_OPS, isErrorCode } from '@switchboard/protocol';
import { useHub } from '../../../test/support/hub-fixture.js';
import { createTokenVerifier } from '../src/auth/token-keys.js';
import { defaultAuthConfig } from '../src/config/auth-config.js';
import type { WireFrame } from '../../../test/support/raw-client.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** A reply that is a success or a protocol error other than INTERNAL. */
function assertAnswer(reply: WireFrame, what: unknown): void {
  if (reply.op === 'err') {
    assert.ok(isErrorCode(reply.code), `not a protocol code: ${JSON.stringify(reply)} for ${JSON.stringify(what)}`);
    assert.notEqual(reply.code, 'INTERNAL', `INTERNAL for ${JSON.stringify(what)}: ${reply.message}`);
  }
}

describe('fuzzing the hub with bad input', () => {
  const fx = useHub();

  it('answers random frames of every op with ok or a protocol code, never INTERNAL', async () => {
    const c = await fx.connect('fuzzer');
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null));
    const frame = fc.record(
      {
        op: fc.oneof(fc.constantFrom(...CLIENT_OPS.filter((op) => op !== 'hello')), fc.string({ maxLength: 8 })),
        ch: fc.oneof(fc.constantFrom('fuzz.a', 'fuzz.>', '$sys.x', '', 'a..b'), value),
        type: value,
        data: value,
        sub: value,
        seq: value,
        to: fc.oneof(fc.constant('nobody-here'), value),
        doc: fc.oneof(fc.constantFrom('fuzz/doc', 'a/../b'), value),
        ops: fc.oneof(
          fc.array(fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'inc', 'x'), path: value, from: value, value })),
          value,
        ),
        token: value,
        from: value,
        msg_id: value,
        meta: value,
        timeout_ms: fc.oneof(fc.integer({ min: -5, max: 50 }), value),
      },
      { requiredKeys: ['op'] },
    );
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const reply = await c.call({ ...f, id: 'fz' }, 5000);
        assertAnswer(reply, f);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        c.send(text);
        const reply = await c.call({ op: 'ping' });
        assert.equal(reply.op, 'pong');
      }),
      { numRuns: RUNS },
    );
    for (const e of c.drain((f) => f.op === 'err')) assertAnswer(e, 'raw text');
  });

  it('applies random JSON Patch and inc operations, or refuses them with a protocol code; the document stays readable', async () => {
    const c = await fx.connect('patcher');
    assert.equal((await c.call({ op: 'doc.sub', doc: 'fuzz/patch' })).op, 'ok');
    // found by this property: an add below a document that is still null was an INTERNAL error
    const below = await c.call({ op: 'doc.update', doc: 'fuzz/patch', ops: [{ op: 'add', path: '/a/b', value: 1 }] });
    assert.equal(below.code, 'BAD_FRAME', JSON.stringify(below));
    assert.match(below.message, /not an object or an array; nothing was changed/);
    const path = fc.oneof(fc.constantFrom('', '/', '/a', '/a/b', '/n', '/list/0', '/list/-', '/__proto__/x', '/a~1b', '/~2'), fc.string({ maxLength: 10 }));
    const op = fc.record({
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'inc'),
      path,
      from: path,
      value: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double(), fc.jsonValue({ maxDepth: 2 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 5 }), fc.option(fc.integer({ min: -1, max: 50 })), async (ops, ifVersion) => {
        const update: Record<string, unknown> = { op: 'doc.update', doc: 'fuzz/patch', ops };
        if (ifVersion !== null) update.if_version = ifVersion;
        assertAnswer(await c.call(update), update);
      }),
      { numRuns: RUNS },
    );
    const res = await fetch(`${fx.hub.url}/v1/docs/fuzz%2Fpatch`);
    assert.equal(res.status, 200);
  });
});

describe('fuzzing the token parser', () => {
  it('refuses random strings and JWT-shaped garbage with UNAUTHENTICATED, nothing else', async () => {
    const verifier = createTokenVerifier({ ...defaultAuthConfig(), hs256Secret: 'fuzz-secret-0123456789-0123456789-abc' });
    const header = fc.record(
      { alg: fc.oneof(fc.constantFrom('HS256', 'RS256', 'none', 'ES256', 'EdDSA', 'HS512'), fc.jsonValue()), kid: fc.jsonValue(), typ: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const jwtShaped = fc
      .tuple(
        fc.oneof(
          header.map((h) => b64(JSON.stringify(h))),
          fc.base64String(),
        ),
        fc.jsonValue().map((p) => b64(JSON.stringify(p))),
        fc.base64String(),
      )
      .map(([h, p, s]) => `${h}.${p}.${s.replace(/=/g, '')}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), jwtShaped), async (token) => {
        await assert.rejects(verifier.verify(token), (err: { code?: string }) => err.code === 'UNAUTHENTICATED');
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_OPS, decodeClientFrame, isErrorCode } from '../src/index.js';

const known = new Set<string>(CLIENT_OPS);

test('a well-formed frame gives its op, id and fields', () => {
  const d = decodeClientFrame('{"op":"pub","id":7,"ch":"a.b","data":{"x":1}}', known);
  assert.equal(d.ok, true);
  if (!d.ok) return;
  assert.equal(d.op, 'pub');
  assert.equal(d.id, 7);
  assert.deepEqual(d.frame.data, { x: 1 });
  const s = decodeClientFrame('{"op":"ping","id":"a-1"}', known);
  assert.equal(s.ok && s.id, 'a-1');
});

test('text that is not a JSON object is BAD_FRAME with no id and no frame', () => {
  for (const text of ['not json', '[1,2]', '"op"', '42', 'null', '{"op":"ping"']) {
    const d = decodeClientFrame(text, known);
    assert.equal(d.ok, false, text);
    if (d.ok) continue;
    assert.equal(d.code, 'BAD_FRAME', text);
    assert.equal(d.id, undefined);
    assert.equal(d.frame, undefined);
    assert.match(d.message, /JSON/);
  }
});

test('an id of the wrong type is refused without answering to it, keeping the frame', () => {
  const d = decodeClientFrame('{"op":"pub","id":{"x":1},"ch":"a"}', known);
  assert.ok(!d.ok);
  assert.equal(d.code, 'BAD_FRAME');
  assert.equal(d.id, undefined);
  assert.equal(d.frame?.ch, 'a');
  assert.match(d.message, /"id" must be a number or a string/);
});

test('a missing op is BAD_FRAME and an unknown one UNKNOWN_OP, both answered to the frame id and naming what to send', () => {
  const missing = decodeClientFrame('{"id":3}', known);
  assert.ok(!missing.ok);
  assert.equal(missing.code, 'BAD_FRAME');
  assert.equal(missing.id, 3);
  assert.match(missing.message, /"op"/);
  const unknown = decodeClientFrame('{"op":"publish","id":4}', known);
  assert.ok(!unknown.ok);
  assert.equal(unknown.code, 'UNKNOWN_OP');
  assert.equal(unknown.id, 4);
  assert.match(unknown.message, /known ops: hello, ping, pub/);
  assert.ok(isErrorCode(unknown.code));
});

test('an unknown op longer than 64 characters is cut in the message', () => {
  const d = decodeClientFrame(JSON.stringify({ op: 'x'.repeat(10_000) }), known);
  assert.ok(!d.ok);
  assert.ok(d.message.length < 400);
});

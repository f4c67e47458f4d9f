import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlow } from '../src/scenario/flow-file.js';
import { FlowFileError } from '../src/scenario/flow-errors.js';
import { matchPartial, allPass } from '../src/scenario/match.js';
import { fillTemplate } from '../src/scenario/template.js';
import { escapeHtml } from '../src/scenario/report-html.js';
import { escapeXml } from '../src/scenario/report-junit.js';
import { mdCell } from '../src/scenario/report-markdown.js';

// The pure parts of the scenario runner: flow defaults, partial matching, placeholders, escaping.

test('partial objects: extra keys are fine, arrays match item by item, operators test values', () => {
  const msg = { symbol: 'EURUSD', bid: 1.08, legs: [{ px: 1 }, { px: 2 }], note: null, qty: 3 };
  assert.ok(allPass(matchPartial({ symbol: 'EURUSD' }, msg)));
  assert.ok(allPass(matchPartial({ legs: [{}, { px: 2 }] }, msg)));
  assert.ok(allPass(matchPartial({ bid: { $type: 'number', $gt: 1, $lt: 2 }, qty: { $type: 'integer', $gte: 3, $lte: 3 } }, msg)));
  assert.ok(allPass(matchPartial({ symbol: { $regex: '^EUR' }, gone: { $exists: false }, note: { $exists: true, $ne: 0 } }, msg)));

  const miss = matchPartial({ symbol: 'GBPUSD', legs: [{ px: 1 }], bid: { $gt: 2 }, deep: { x: 1 } }, msg);
  assert.deepEqual(
    miss.map((c) => [c.field, c.expected, c.actual, c.pass]),
    [
      ['/symbol', '"GBPUSD"', '"EURUSD"', false],
      ['/legs', 'an array of 1', 'an array of 2', false],
      ['/bid', '{"$gt":2}', '1.08', false],
      ['/deep', 'an object', '(absent)', false],
    ],
  );
  assert.equal(matchPartial({ 'a/b': 1 }, { 'a/b': 1 })[0]!.field, '/a~1b');
  assert.ok(!allPass(matchPartial(1, '1')), 'no type coercion');
});

test('placeholders: {{now}} and {{i}} become numbers, inside a string they become text', () => {
  const out = fillTemplate(
    { at: '{{now}}', n: '{{ i }}', id: 'ORD-{{i}}', u: '{{uuid}}', keep: '{{other}}', list: ['{{i}}'] },
    { i: 7, now: () => 123.5 },
  ) as Record<string, unknown>;
  assert.equal(out.at, 123.5);
  assert.equal(out.n, 7);
  assert.equal(out.id, 'ORD-7');
  assert.match(String(out.u), /^[0-9a-f-]{36}$/);
  assert.equal(out.keep, '{{other}}');
  assert.deepEqual(out.list, [7]);
});

test('a minimal flow gets its defaults; every problem is collected at once', () => {
  const flow = parseFlow(
    '/flows/mini.yaml',
    `components: [{ name: a, token: "\${TOKEN_A}" }, { name: p, run: "sleep 1" }]
steps:
  - expect: { component: a, channel: x }
  - wait: 5
    repeat: 2
targets:
  - { metric: errors, at_most: 0 }
`,
    { TOKEN_A: 'jwt-a' },
  );
  assert.equal(flow.name, 'mini');
  assert.deepEqual(flow.components[0], { kind: 'sdk', name: 'a', token: 'jwt-a', replies: {} });
  assert.deepEqual(flow.components[1], {
    kind: 'process',
    name: 'p',
    run: 'sleep 1',
    cwd: '/flows',
    env: {},
    start: 'at-start',
    readyDelayMs: 0,
    readyTimeoutMs: 15_000,
  });
  assert.deepEqual(flow.steps[0], { kind: 'expect', id: 'expect-1', index: 1, repeat: 1, component: 'a', channel: 'x', from: 'latest', withinMs: 5_000 });
  assert.deepEqual(flow.steps[1], { kind: 'wait', id: 'wait-2', index: 2, repeat: 2, ms: 5 });
  assert.deepEqual(flow.targets, [{ kind: 'count', index: 1, metric: 'errors', atMost: 0 }]);

  assert.throws(
    () => parseFlow('f.yaml', 'components: [{ name: a, token: "${NOPE}" }, { name: a }]\nsteps: [{ wait: -1 }]\ntargets: [{ metric: p42 }]\n', {}),
    (err: unknown) => {
      assert.ok(err instanceof FlowFileError);
      assert.deepEqual(
        err.problems.map((p) => p.problem),
        [
          'the environment variable NOPE is not set',
          'the component "a" is listed twice',
          'wait must be a whole number of milliseconds from 0 to 600000, not -1',
          'unknown metric "p42"',
        ],
      );
      return true;
    },
  );
});

test('report text is escaped for HTML, XML and Markdown', () => {
  const evil = `<img src=x onerror="alert('1')"> & | \u0001`;
  assert.equal(escapeHtml(evil), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; | \u0001');
  assert.equal(escapeXml(evil), '&lt;img src=x onerror=&quot;alert(&apos;1&apos;)&quot;&gt; &amp; | ');
  assert.equal(mdCell('a | b\nc <i>'), 'a \\| b<br>c &lt;i&gt;');
});

// examples/ops/: the alert rules are valid (`promtool check rules`), fire when they should and not otherwise
// (`promtool test rules` on alerts.test.yml), name only metrics the hub has, and the sample prometheus.yml is valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMetrics } from '@switchboard/hub';
import { NO_PROMTOOL, promtool } from '../support/prometheus.js';

const OPS = fileURLToPath(new URL('../../examples/ops/', import.meta.url));

test('promtool checks the alert rules and their unit tests pass', { skip: NO_PROMTOOL }, () => {
  const check = promtool(['check', 'rules', 'alerts.yml'], OPS);
  assert.equal(check.status, 0, check.output);
  assert.match(check.output, /SUCCESS: 6 rules found/);
  const unit = promtool(['test', 'rules', 'alerts.test.yml'], OPS);
  assert.equal(unit.status, 0, unit.output);
  const config = promtool(['check', 'config', 'prometheus.yml'], OPS);
  assert.equal(config.status, 0, config.output);
});

test('the rules name only metrics the hub exposes', () => {
  const names = new Set((createMetrics().registry.getMetricsAsArray() as unknown as { name: string }[]).map((m) => m.name));
  const used = [...new Set([...readFileSync(`${OPS}alerts.yml`, 'utf8').matchAll(/\bswitchboard_[a-z_]+/g)].map((m) => m[0]))];
  assert.ok(used.length >= 4, `found only ${used.join(', ')}`);
  assert.deepEqual(
    used.filter((n) => !names.has(n)),
    [],
  );
});

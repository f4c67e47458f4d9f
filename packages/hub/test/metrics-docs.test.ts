// docs/reference/metrics.md names every metric of the hub's registry with its type and labels, and nothing else:
// the names are a contract that dashboards and alert rules rely on, so the page and the code must agree. The same
// holds for the values of the `limit` label of switchboard_limit_refusals_total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../src/metrics/metrics.js';
import { LIMIT_NAMES } from '../src/metrics/limit-names.js';

const doc = readFileSync(new URL('../../../docs/reference/metrics.md', import.meta.url), 'utf8');
const PROCESS_PREFIX = 'switchboard_process_';

interface Row {
  type: string;
  labels: string[];
}

/** The rows of the "Every metric" table: metric → type and labels. */
function documented(text: string): Map<string, Row> {
  const section = text.split('## Every metric')[1]?.split('\n## ')[0];
  assert.ok(section, 'metrics.md has no "## Every metric" section');
  const rows = new Map<string, Row>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z_:]+)` \| ([a-z]+) \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    const labels = m[3]!.trim() === '—' ? [] : [...m[3]!.matchAll(/`([a-z_]+)`/g)].map((l) => l[1]!);
    rows.set(m[1]!, { type: m[2]!, labels: labels.sort() });
  }
  return rows;
}

/** The registry's metrics (the process ones aside): metric → type and labels. */
function registered(): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const metric of createMetrics().registry.getMetricsAsArray() as unknown as { name: string; type: string; labelNames?: readonly string[] }[]) {
    if (metric.name.startsWith(PROCESS_PREFIX)) continue;
    out.set(metric.name, { type: metric.type, labels: [...(metric.labelNames ?? [])].sort() });
  }
  return out;
}

/** What differs between the code and the page, one line per difference. */
function differences(text: string): string[] {
  const code = registered();
  const page = documented(text);
  const out: string[] = [];
  for (const [name, row] of code) {
    const d = page.get(name);
    if (!d) out.push(`${name} is not in metrics.md`);
    else if (d.type !== row.type || d.labels.join(',') !== row.labels.join(',')) {
      out.push(`${name}: the code says ${row.type} {${row.labels.join(',')}}, metrics.md says ${d.type} {${d.labels.join(',')}}`);
    }
  }
  for (const name of page.keys()) if (!code.has(name)) out.push(`${name} is in metrics.md but not in the registry`);
  return out;
}

test('metrics.md lists every metric of the registry with its type and labels, and no other', () => {
  assert.ok(registered().size >= 15, 'found too few metrics in the registry; the extraction is broken');
  assert.deepEqual(differences(doc), []);
  assert.ok(doc.includes(`\`${PROCESS_PREFIX}\``), 'metrics.md says what the process metrics are prefixed with');
});

test('the check fails when the page and the code disagree', () => {
  const row = (name: string) => doc.split('\n').find((l) => l.startsWith(`| \`${name}\``))!;
  const lag = row('switchboard_consumer_lag');
  assert.deepEqual(differences(doc.replace(lag, '')), ['switchboard_consumer_lag is not in metrics.md']);
  assert.deepEqual(differences(doc.replace(lag, lag.replace('`channel`, `group`', '`channel`'))), [
    'switchboard_consumer_lag: the code says gauge {channel,group}, metrics.md says gauge {channel}',
  ]);
  assert.deepEqual(differences(doc.replace(lag, lag.replace('| gauge |', '| counter |'))), [
    'switchboard_consumer_lag: the code says gauge {channel,group}, metrics.md says counter {channel,group}',
  ]);
  assert.deepEqual(
    differences(`${doc.split('\n## ')[0]}\n## Every metric\n| \`switchboard_gone_total\` | counter | — | x |\n${doc.split('## Every metric')[1]}`),
    ['switchboard_gone_total is in metrics.md but not in the registry'],
  );
});

/** The `limit` values of the page's "The `limit` label" table. */
function documentedLimits(text: string): string[] {
  const section = text.split('## The `limit` label')[1]?.split('\n## ')[0];
  assert.ok(section, 'metrics.md has no "## The `limit` label" section');
  // the rows after the header (whose first cell is `limit` itself)
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!).filter((name) => name !== 'limit');
}

test('metrics.md lists every limit name of switchboard_limit_refusals_total, once, and no other', () => {
  const page = documentedLimits(doc);
  assert.deepEqual([...page].sort(), [...LIMIT_NAMES].sort());
  assert.equal(new Set(page).size, page.length);
  assert.notDeepEqual(documentedLimits(doc.replace('| `doc_ops` |', '| `doc_opz` |')).sort(), [...LIMIT_NAMES].sort(), 'a misspelt row is found');
});

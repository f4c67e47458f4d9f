// flagd's own evaluator test cases (open-feature/flagd-testbed, vendored in fixtures/flagd-testbed): every scenario
// of its Gherkin features run against @switchboard/flags with its flag set, so that a flag evaluates here exactly as
// in flagd — targeting, fractional bucketing by MurmurHash3, sem_ver, string operators, shared $ref evaluators,
// disabled flags, missing defaults, zero values, errors and metadata.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, type FlagSet, type FlagType, type FlagValue, type Resolution } from '../src/index.js';

const DIR = fileURLToPath(new URL('./fixtures/flagd-testbed/', import.meta.url));
const FLAGS = JSON.parse(readFileSync(join(DIR, 'testkit-flags.json'), 'utf8')) as FlagSet;
/** Examples of flagd's former bucketing, which flagd replaced by the one tagged `@fractional-v2`. */
const LEFT_OUT = new Set(['@fractional-v1']);

interface Step {
  text: string;
  table?: string[][];
}
interface Case {
  name: string;
  steps: Step[];
}

/** The scenarios of a feature file, each outline expanded once per row of its (kept) examples. */
function scenarios(text: string): Case[] {
  const lines = text.split('\n').map((l) => l.trim());
  const out: Case[] = [];
  let background: Step[] = [];
  let current: { name: string; steps: Step[]; outline: boolean; inBackground: boolean } | undefined;
  let tags: string[] = [];
  let examples: { tags: string[]; rows: string[][] } | undefined;
  const flushExamples = () => {
    if (!current || !examples) return;
    const [head, ...rows] = examples.rows;
    if (!examples.tags.some((t) => LEFT_OUT.has(t)))
      for (const row of rows) {
        const sub = (s: string) => s.replace(/<([^>]+)>/g, (_, k: string) => row[head!.indexOf(k)] ?? '');
        out.push({ name: `${current.name} [${row.join(' | ')}]`, steps: [...background, ...current.steps.map((s) => ({ ...s, text: sub(s.text) }))] });
      }
    examples = undefined;
  };
  const flushScenario = () => {
    flushExamples();
    if (current && !current.outline && !current.inBackground) out.push({ name: current.name, steps: [...background, ...current.steps] });
    current = undefined;
  };
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('@')) {
      flushExamples();
      tags = line.split(/\s+/);
      continue;
    }
    if (line.startsWith('Feature:')) continue;
    if (line.startsWith('Background:')) {
      current = { name: 'background', steps: [], outline: false, inBackground: true };
      continue;
    }
    if (line.startsWith('Scenario')) {
      if (current?.inBackground) background = current.steps;
      flushScenario();
      current = { name: line.replace(/^Scenario( Outline)?:\s*/, ''), steps: [], outline: line.startsWith('Scenario Outline'), inBackground: false };
      tags = [];
      continue;
    }
    if (line.startsWith('Examples')) {
      flushExamples();
      examples = { tags, rows: [] };
      tags = [];
      continue;
    }
    if (line.startsWith('|')) {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim().replace(/\\"/g, '"'));
      if (examples) examples.rows.push(cells);
      else current!.steps.at(-1)!.table = [...(current!.steps.at(-1)!.table ?? []), cells];
      continue;
    }
    current!.steps.push({ text: line.replace(/^(Given|And|When|Then|But)\s+/, '') });
  }
  flushScenario();
  return out;
}

const TYPES: Record<string, FlagType> = { Boolean: 'boolean', String: 'string', Integer: 'number', Float: 'number', Object: 'object' };

function typed(type: string, text: string): FlagValue | null {
  if (type === 'Boolean') return text === 'true';
  if (type === 'Integer' || type === 'Float') return Number(text);
  if (type === 'Object') return JSON.parse(text) as FlagValue;
  return text;
}

/** Runs one scenario's steps. */
function run(steps: Step[]): void {
  let flag: { key: string; type: string; fallback: FlagValue } | undefined;
  const context: Record<string, unknown> = {};
  let result: Resolution | undefined;
  for (const { text, table } of steps) {
    let m: RegExpMatchArray | null;
    if (text === 'an evaluator') continue;
    if ((m = text.match(/^a (\w+)-flag with key "([^"]*)" and a fallback value "(.*)"$/))) {
      flag = { key: m[2]!, type: m[1]!, fallback: typed(m[1]!, m[3]!)! };
    } else if ((m = text.match(/^a context containing a targeting key with value "(.*)"$/))) {
      context.targetingKey = m[1];
    } else if ((m = text.match(/^a context containing a key "([^"]*)", with type "(\w+)" and with value "(.*)"$/))) {
      if (m[3] !== '') context[m[1]!] = typed(m[2]!, m[3]!);
    } else if ((m = text.match(/^a context containing a nested property with outer key "([^"]*)" and inner key "([^"]*)", with value "(.*)"$/))) {
      context[m[1]!] = { ...(context[m[1]!] as object), [m[2]!]: m[3] };
    } else if (text === 'the flag was evaluated with details') {
      result = evaluate(FLAGS, flag!.key, TYPES[flag!.type], flag!.fallback, context);
    } else if ((m = text.match(/^the resolved details value should be "(.*)"$/))) {
      const expected = flag!.type === 'String' ? m[1] : typed(flag!.type, m[1]!);
      assert.deepEqual(result!.value, expected, JSON.stringify(result));
    } else if ((m = text.match(/^the reason should be "(\w+)"$/))) {
      assert.equal(result!.reason, m[1], JSON.stringify(result));
    } else if ((m = text.match(/^the error-code should be "(\w+)"$/))) {
      assert.equal(result!.errorCode, m[1], JSON.stringify(result));
    } else if (text === 'the resolved metadata is empty') {
      assert.equal(result!.flagMetadata, undefined);
    } else if (text === 'the resolved metadata should contain') {
      for (const [key, type, value] of table!.slice(1)) assert.deepEqual(result!.flagMetadata?.[key!], typed(type!, value!), key);
    } else assert.fail(`a step this runner does not know: "${text}"`);
  }
}

describe('flagd-testbed evaluator cases', () => {
  const files = readdirSync(join(DIR, 'gherkin')).filter((f) => f.endsWith('.feature'));
  let total = 0;
  for (const file of files) {
    const cases = scenarios(readFileSync(join(DIR, 'gherkin', file), 'utf8'));
    total += cases.length;
    describe(file, () => {
      for (const c of cases) it(c.name, () => run(c.steps));
    });
  }
  it('ran the cases of every feature', () => assert.ok(files.length === 11 && total >= 120, `${files.length} files, ${total} cases`));
});

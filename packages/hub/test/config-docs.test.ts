import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ContractLoadError, loadContractDocuments } from '@switchboard/contracts';
import { ConfigError, configFromObject } from '../src/config/config.js';
import { START_HELP } from '../../cli/src/commands/start.js';

// The reference pages must name every key the config reader accepts and every option the CLI prints in its
// help. The keys are taken from the code itself: `configFromObject` is fed an unknown key in each section and
// lists the known ones in its refusal; the keys of `auth` (which refuses nothing) are read from config.ts and
// each is checked to be really read.

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const configDoc = read('docs/reference/config.md');
const cliDoc = read('docs/reference/cli.md');
const PROBE = '__undocumented_probe__';

/** The keys `configFromObject` names as known when it refuses `doc`. */
function knownKeys(doc: unknown): string[] {
  let refusal: unknown;
  try {
    configFromObject(doc, 'probe.yaml');
  } catch (err) {
    refusal = err;
  }
  assert.ok(refusal instanceof ConfigError, `configFromObject accepted ${JSON.stringify(doc)}: an unknown key must be refused`);
  const m = /; known(?: keys)?: (.+)$/.exec(refusal.message);
  assert.ok(m, `the refusal does not list the known keys: ${refusal.message}`);
  return m[1]!
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** The keys of `auth`: refused by name if the reader ever checks them, else read from config.ts and exercised. */
function authKeys(): string[] {
  try {
    return knownKeys({ auth: { [PROBE]: 1 } });
  } catch {
    /* auth ignores unknown keys today */
  }
  const source = read('packages/hub/src/config/config.ts');
  const keys = [...new Set([...source.matchAll(/doc\.auth\.([A-Za-z0-9_]+)/g)].map((m) => m[1]!))];
  assert.ok(keys.length > 0, 'found no doc.auth.<key> in packages/hub/src/config/config.ts');
  const base = JSON.stringify(configFromObject({ auth: {} }));
  for (const k of keys) {
    const isRead = [true, 'probe-value'].some((v) => {
      try {
        return JSON.stringify(configFromObject({ auth: { [k]: v } })) !== base;
      } catch {
        return false;
      }
    });
    assert.ok(isRead, `auth.${k} was found in config.ts but configFromObject does not read it`);
  }
  return keys;
}

/** Every key path of switchboard.yaml, with the forms in which config.md must name it. */
function configKeyPaths(): Array<{ key: string; forms: Array<string | RegExp> }> {
  const top = knownKeys({ [PROBE]: 1 });
  const limits = knownKeys({ limits: { [PROBE]: 1 } });
  const settings = knownKeys({ defaults: { [PROBE]: 1 } });
  assert.deepEqual(knownKeys({ channels: { 'probe.channel': { [PROBE]: 1 } } }), settings, 'defaults and channels entries take the same keys');
  const retention = knownKeys({ defaults: { retention: { [PROBE]: 1 } } });
  const auth = authKeys();
  const admin = knownKeys({ admin: { [PROBE]: 1 } });
  const alerts = knownKeys({ admin: { alerts: { [PROBE]: 1 } } });
  const metrics = knownKeys({ metrics: { [PROBE]: 1 } });
  const webhook = knownKeys({ webhooks: { probe: { [PROBE]: 1 } } });
  const breaker = knownKeys({
    webhooks: { probe: { url: 'https://example.org/', channels: ['a'], secret: `whsec_${'A'.repeat(32)}`, breaker: { [PROBE]: 1 } } },
  });
  const inbound = knownKeys({ inbound_webhooks: { probe: { [PROBE]: 1 } } });
  for (const section of ['limits', 'defaults', 'channels', 'admin', 'auth', 'metrics'])
    assert.ok(top.includes(section), `no "${section}" among ${top.join(', ')}`);

  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const paths: Array<{ key: string; forms: Array<string | RegExp> }> = [];
  for (const k of top) paths.push({ key: k, forms: [`\`${k}\``] });
  for (const k of limits) paths.push({ key: `limits.${k}`, forms: [`limits.${k}`] });
  for (const k of auth) paths.push({ key: `auth.${k}`, forms: [`auth.${k}`] });
  for (const k of admin) if (k !== 'alerts') paths.push({ key: `admin.${k}`, forms: [`admin.${k}`] });
  for (const k of alerts) paths.push({ key: `admin.alerts.${k}`, forms: [`admin.alerts.${k}`] });
  for (const k of metrics) paths.push({ key: `metrics.${k}`, forms: [`metrics.${k}`] });
  for (const k of webhook) paths.push({ key: `webhooks.<name>.${k}`, forms: [new RegExp(`webhooks\\.<[^>\`]+>\\.${esc(k)}\\b`)] });
  for (const k of breaker) paths.push({ key: `webhooks.<name>.breaker.${k}`, forms: [new RegExp(`webhooks\\.<[^>\`]+>\\.breaker\\.${esc(k)}\\b`)] });
  for (const k of inbound) paths.push({ key: `inbound_webhooks.<name>.${k}`, forms: [new RegExp(`inbound_webhooks\\.<[^>\`]+>\\.${esc(k)}\\b`)] });
  for (const k of settings) {
    paths.push({ key: `defaults.${k}`, forms: [`defaults.${k}`] });
    paths.push({ key: `channels.<name>.${k}`, forms: [new RegExp(`channels\\.<[^>\`]+>\\.${esc(k)}\\b`)] });
  }
  for (const k of retention) {
    paths.push({ key: `defaults.retention.${k}`, forms: [`defaults.retention.${k}`] });
    paths.push({ key: `channels.<name>.retention.${k}`, forms: [new RegExp(`channels\\.<[^>\`]+>\\.retention\\.${esc(k)}\\b`)] });
  }
  return paths;
}

/** The key paths that `doc` does not name. */
function undocumentedConfigKeys(doc: string): string[] {
  return configKeyPaths()
    .filter(({ forms }) => !forms.every((f) => (typeof f === 'string' ? doc.includes(f) : f.test(doc))))
    .map(({ key }) => key);
}

/** Options (`--name`, `-x`) and environment variables of a help text. */
function helpEntries(help: string): { options: string[]; envs: string[]; defaults: Array<{ option: string; value: string }> } {
  const options: string[] = [];
  const defaults: Array<{ option: string; value: string }> = [];
  for (const line of help.split('\n')) {
    const m = /^\s+(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)/.exec(line);
    if (!m) continue;
    if (m[1]) options.push(m[1]);
    options.push(m[2]!);
    const d = /\(default ([^)]+)\)/.exec(line);
    if (d) defaults.push({ option: m[2]!, value: d[1]!.trim() });
  }
  const envs = [...new Set([...help.matchAll(/\bSWITCHBOARD_[A-Z_]+/g)].map((m) => m[0]))];
  return { options, envs, defaults };
}

/** What of a help text `doc` does not document: options, environment variables, default values. */
function undocumentedHelp(help: string, doc: string): string[] {
  const { options, envs, defaults } = helpEntries(help);
  const missing: string[] = [];
  for (const o of options) if (!doc.includes('`' + o + '`') && !doc.includes('`' + o + ' ')) missing.push(o);
  for (const e of envs) if (!doc.includes(e)) missing.push(e);
  for (const { option, value } of defaults) {
    const rows = doc.split('\n').filter((l) => l.startsWith(`| \`${option}`));
    if (!rows.some((r) => r.includes(value))) missing.push(`${option} default ${value}`);
  }
  return missing;
}

/** The help texts (`*_HELP` exports) of the command files other than start.ts, whose `START_HELP` is imported. */
async function otherCommandHelps(): Promise<Array<{ name: string; help: string }>> {
  const helps: Array<{ name: string; help: string }> = [];
  const dir = new URL('packages/cli/src/commands/', root);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'start.ts')
    .sort()) {
    const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (name.endsWith('_HELP') && typeof value === 'string') helps.push({ name, help: value });
  }
  return helps;
}

test('every key configFromObject accepts is named in docs/reference/config.md', () => {
  const paths = configKeyPaths();
  assert.ok(paths.length >= 25, `only ${paths.length} key paths found; the extraction is broken`);
  assert.deepEqual(undocumentedConfigKeys(configDoc), [], 'docs/reference/config.md does not name these switchboard.yaml keys');
});

test('the config check fails when a key is undocumented', () => {
  const before = new Set(undocumentedConfigKeys(configDoc));
  const newlyMissing = (doc: string): string[] => undocumentedConfigKeys(doc).filter((k) => !before.has(k));
  assert.deepEqual(newlyMissing(configDoc.split('limits.max_buffered_bytes').join('limits.REMOVED')), ['limits.max_buffered_bytes']);
  assert.deepEqual(newlyMissing(configDoc.split('`session_ttl`').join('`REMOVED`')), ['session_ttl']);
  assert.deepEqual(newlyMissing(configDoc.split('auth.hs256_secret').join('auth.REMOVED')), ['auth.hs256_secret']);
  assert.deepEqual(newlyMissing(configDoc.split('metrics.channel_labels').join('metrics.REMOVED')), ['metrics.channel_labels']);
});

test('every key of the x-switchboard extension is named in its section of config.md', () => {
  const refusal = (ext: string): string[] => {
    const text = `asyncapi: 3.0.0\ninfo: { title: probe, version: 1.0.0 }\nchannels:\n  probe:\n    address: probe.channel\n    x-switchboard: ${ext}\n`;
    try {
      loadContractDocuments([{ file: 'probe.yaml', text }]);
    } catch (err) {
      assert.ok(err instanceof ContractLoadError, String(err));
      const m = /use only (.+?) \(check the spelling\)/.exec(err.fix);
      assert.ok(m, `the refusal does not list the known keys: ${err.message}`);
      return m[1]!.split(',').map((k) => k.trim());
    }
    assert.fail(`x-switchboard ${ext} was accepted: an unknown key must be refused`);
  };
  const top = refusal(`{ ${PROBE}: 1 }`);
  const retention = refusal(`{ retention: { ${PROBE}: 1 } }`);
  const section = configDoc.split('## The `x-switchboard` contract extension')[1]?.split('\n## ')[0];
  assert.ok(section, 'config.md has no "## The `x-switchboard` contract extension" section');
  const missing = [...top.filter((k) => k !== 'retention'), ...retention.map((k) => `retention.${k}`)].filter((k) => !section.includes('`' + k + '`'));
  if (top.includes('retention') && !section.includes('`retention')) missing.push('retention');
  assert.deepEqual(missing, [], 'the x-switchboard section of config.md does not name these keys');
});

test('every option, environment variable and default in START_HELP is in docs/reference/cli.md', () => {
  const { options, envs } = helpEntries(START_HELP);
  assert.ok(options.length >= 10 && envs.length >= 10, 'found too few options in START_HELP; the extraction is broken');
  assert.deepEqual(undocumentedHelp(START_HELP, cliDoc), [], 'docs/reference/cli.md does not document these parts of START_HELP');
});

test('the CLI check fails when an option is undocumented', () => {
  assert.ok(undocumentedHelp(START_HELP, cliDoc.split('--durability').join('--REMOVED')).includes('--durability'));
  assert.ok(undocumentedHelp(START_HELP, cliDoc.split('SWITCHBOARD_DATA').join('REMOVED')).includes('SWITCHBOARD_DATA'));
});

test('every command and every option of the other commands is in docs/reference/cli.md', async () => {
  const main = read('packages/cli/src/main.ts');
  const list = main.split('Commands:')[1]?.split('\n\n')[0] ?? '';
  const commands = [...list.matchAll(/^ {2}([a-z][a-z-]*)\s/gm)].map((m) => m[1]!);
  assert.ok(commands.includes('start'), `no command list found in packages/cli/src/main.ts: ${commands.join(', ')}`);
  assert.deepEqual(
    commands.filter((c) => !cliDoc.includes(`switchboard ${c}`)),
    [],
    'docs/reference/cli.md does not describe these commands',
  );
  for (const { name, help } of await otherCommandHelps()) {
    assert.deepEqual(undocumentedHelp(help, cliDoc), [], `docs/reference/cli.md does not document these parts of ${name}`);
  }
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateContractTypes, loadContractDocuments, loadContracts } from '@switchboard/contracts';
import { OFFICIAL_EXAMPLES as EXAMPLES, runCli, tempFiles } from './support/cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MARKET = join(ROOT, 'examples/market-data/contracts');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Compiles `file` (and what it imports) with the repository's TypeScript, strict, against the built SDK. */
function tsc(dir: string, ...fileList: string[]): { status: number | null; output: string } {
  const file = fileList[0]!;
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      skipLibCheck: true,
      types: [],
      paths: { '@switchboard/client': [join(ROOT, 'packages/client/dist/index.d.ts')] },
    },
    files: fileList,
  };
  const tsconfig = join(dir, `tsconfig.${file.replace(/\W/g, '-')}.json`);
  writeFileSync(tsconfig, JSON.stringify(config));
  const r = spawnSync(process.execPath, [TSC, '-p', tsconfig, '--pretty', 'false'], { encoding: 'utf8', cwd: dir });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('switchboard contracts types', () => {
  const tmp = tempFiles('sb-types-');
  const out = join(tmp.dir, 'gen');

  it('writes payload types and a typed client for the market-data contract', () => {
    const r = runCli(['contracts', 'types', MARKET, '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.channels, [{ address: 'market.ticks', messages: [{ type: 'tick', typeName: 'Tick' }] }]);
    assert.deepEqual(
      result.files.map((f: string) => f.slice(out.length + 1)),
      ['payloads.ts', 'client.ts', 'index.ts'],
    );
    const payloads = readFileSync(join(out, 'payloads.ts'), 'utf8');
    assert.match(payloads, /export interface Tick \{[^}]*symbol: string;[^}]*bid: number;[^}]*ask: number;[^}]*sent_at: number;\s*\}/s);
    assert.match(payloads, /"market\.ticks": \{\s*tick: Tick;\s*\}/);
  });

  it('a correct use of the typed client compiles', () => {
    tmp.write(
      'good.ts',
      `import { connect } from '@switchboard/client';
import { typed, type TypedMessage } from './gen/index.js';

export async function run(): Promise<void> {
  const client = typed(await connect({ url: 'ws://127.0.0.1:1/v1/ws', component: 'data-bridge' }));
  await client.publish('market.ticks', 'tick', { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843, sent_at: Date.now() });
  const sub = await client.subscribe('market.ticks', { group: 'engine' });
  for await (const m of sub) {
    const spread: number = m.data.ask - m.data.bid;
    const kind: 'tick' = m.type;
    void spread; void kind;
  }
  await client.subscribe('market.ticks', { onMessage: (m: TypedMessage<'market.ticks'>) => { const s: string = m.data.symbol; void s; } });
}
`,
    );
    const r = tsc(tmp.dir, 'good.ts');
    assert.equal(r.status, 0, r.output);
  });

  it('a wrong payload, an unknown type and an unknown channel fail to compile, pointing at the mistake', () => {
    tmp.write(
      'bad.ts',
      `import { connect } from '@switchboard/client';
import { typed } from './gen/index.js';

export async function run(): Promise<void> {
  const client = typed(await connect({ url: 'ws://127.0.0.1:1/v1/ws', component: 'data-bridge' }));
  await client.publish('market.ticks', 'tick', {
    symbol: 'EURUSD',
    bid: '1.0841',
    ask: 1.0843,
    sent_at: 0,
  });
  await client.publish('market.ticks', 'quote', {});
  await client.publish('market.tocks', 'tick', {});
  await client.publish('market.ticks', 'tick', { symbol: 'EURUSD', bid: 1, ask: 1 });
}
`,
    );
    const r = tsc(tmp.dir, 'bad.ts');
    assert.notEqual(r.status, 0);
    const errors = r.output.split('\n').filter((l) => l.startsWith('bad.ts('));
    assert.equal(errors.length, 4, r.output);
    // The wrong field: line 8 is `bid: '1.0841'`.
    assert.match(errors[0]!, /^bad\.ts\(8,5\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(errors[1]!, /^bad\.ts\(12,40\): error TS2345: Argument of type '"quote"' is not assignable to parameter of type '"tick"'/);
    assert.match(errors[2]!, /^bad\.ts\(13,24\): error TS2345: Argument of type '"market\.tocks"' is not assignable to parameter of type '"market\.ticks"'/);
    assert.match(errors[3]!, /^bad\.ts\(14,48\): error TS2345: .* is not assignable to parameter of type 'Tick'/);
    assert.match(r.output, /Property 'sent_at' is missing/);
  });

  it('parameterised addresses, shared and recursive schemas, same type names, messages without payload', () => {
    const rich = tmp.write(
      'rich/rich.yaml',
      `asyncapi: 3.0.0
info: { title: rich, version: 1.0.0 }
channels:
  rooms:
    address: rooms.{roomId}.chat
    parameters: { roomId: {} }
    messages:
      said: { payload: { $ref: '#/components/schemas/Said' } }
      joined: { name: joined }
  quotes:
    address: market.quotes
    messages:
      quote: { payload: { type: object, required: [px], properties: { px: { $ref: '#/components/schemas/Money' } } } }
  fxquotes:
    address: fx.quotes
    messages:
      quote: { payload: { type: object, required: [rate], properties: { rate: { type: number }, fee: { $ref: '#/components/schemas/Money' } } } }
components:
  schemas:
    Money: { type: object, additionalProperties: false, required: [amount, currency], properties: { amount: { type: number }, currency: { enum: [EUR, USD] } } }
    Said: { type: object, required: [text], properties: { text: { type: string }, reply_to: { $ref: '#/components/schemas/Said' } } }
`,
    );
    const r = runCli(['contracts', 'types', rich, '--out', join(tmp.dir, 'rich-gen'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).channels, [
      {
        address: 'rooms.{roomId}.chat',
        messages: [
          { type: 'said', typeName: 'Said' },
          { type: 'joined', typeName: 'unknown' },
        ],
      },
      { address: 'market.quotes', messages: [{ type: 'quote', typeName: 'Quote' }] },
      { address: 'fx.quotes', messages: [{ type: 'quote', typeName: 'FxQuotesQuote' }] },
    ]);
    const payloads = readFileSync(join(tmp.dir, 'rich-gen/payloads.ts'), 'utf8');
    assert.equal(payloads.match(/export interface Money \{/g)?.length, 1, 'a schema two messages reference is declared once');
    assert.match(payloads, /reply_to\?: Said;/);
    tmp.write(
      'rich-use.ts',
      `import type { SwitchboardClient } from '@switchboard/client';
import { typed, type ChannelName } from './rich-gen/index.js';

export async function run(raw: SwitchboardClient): Promise<void> {
  const client = typed(raw);
  const room: ChannelName = 'rooms.r42.chat';
  await client.publish(room, 'said', { text: 'hi', reply_to: { text: 'hello' } });
  await client.publish('rooms.r42.chat', 'joined', { anything: true });
  await client.publish('fx.quotes', 'quote', { rate: 1.1, fee: { amount: 2, currency: 'EUR' } });
  for await (const m of await client.subscribe('rooms.r1.chat')) {
    if (m.type === 'said') { const t: string = m.data.text; void t; }
  }
  await client.publish('fx.quotes', 'quote', { rate: 1.1, fee: { amount: 2, currency: 'JPY' } });
}
`,
    );
    const t = tsc(tmp.dir, 'rich-use.ts');
    const errors = t.output.split('\n').filter((l) => l.startsWith('rich-use.ts('));
    assert.equal(errors.length, 1, t.output);
    assert.match(errors[0]!, /^rich-use\.ts\(13,\d+\): error TS2322: Type '"JPY"' is not assignable to type '"EUR" \| "USD"'/);
  });

  it('the types of every official AsyncAPI 3 example compile', async () => {
    const sets = [...readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml')), 'social-media'];
    const entries: string[] = [];
    for (const name of sets) {
      const path = join(EXAMPLES, name);
      const set = name.endsWith('.yml')
        ? loadContractDocuments([{ file: path, text: readFileSync(path, 'utf8') }], { unsupportedSchemaFormats: 'skip' })
        : await loadContracts(path, { unsupportedSchemaFormats: 'skip' });
      const dir = join('examples', name.replace(/\.yml$/, ''));
      for (const f of (await generateContractTypes(set)).files) tmp.write(join(dir, f.name), f.text);
      entries.push(join(dir, 'index.ts'));
    }
    assert.ok(entries.length >= 20);
    const t = tsc(tmp.dir, ...entries);
    assert.equal(t.status, 0, t.output);
  });

  it('refuses to run without --out (status 2) and reports a contract that does not load (status 1)', () => {
    assert.equal(runCli(['contracts', 'types', MARKET]).status, 2);
    const bad = tmp.write('broken.yaml', 'asyncapi: 2.6.0\ninfo: { title: t, version: 1.0.0 }\n');
    const r = runCli(['contracts', 'types', bad, '--out', join(tmp.dir, 'nope')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /broken\.yaml.*AsyncAPI 2\.6\.0 document/);
    assert.match(runCli(['contracts', 'types', '--help']).stdout, /Usage: switchboard contracts types/);
  });
});

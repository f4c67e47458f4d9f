import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContractLoadError, generateContractTypes } from '@switchboard/contracts';
import { loadContractPaths, parseVerbArgs, plural } from './contracts-common.js';

export const CONTRACTS_TYPES_HELP = `Usage: switchboard contracts types FILE|DIR... --out DIR [options]

Generates TypeScript from the AsyncAPI contracts (all given documents loaded as one set, as the hub does):
  payloads.ts   one type per message payload, and ContractChannels (channel → message type → payload)
  client.ts     typed(client): the SDK client with publish(ch, type, data) and subscribe(ch) checked by the
                compiler against the contracts; ChannelName, MessageType, Payload, TypedMessage
  index.ts      re-exports both

Options:
  --out DIR             Directory to write the files to (created when missing; the three files are replaced)
  --client-module NAME  Module the facade imports the SDK types from (default @switchboard/client)
  --json                Print what was written as JSON
  -h, --help            Show this help

Exit status: 0 written, 1 the contracts cannot be loaded or the files cannot be written, 2 usage error.
`;

/** `switchboard contracts types`: the CLI face of `generateContractTypes`. */
export async function typesCommand(argv: string[]): Promise<number> {
  const parsed = parseVerbArgs('types', CONTRACTS_TYPES_HELP, argv, {
    out: { type: 'string' },
    'client-module': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed) return 2;
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(CONTRACTS_TYPES_HELP);
    return 0;
  }
  if (positionals.length === 0 || !v.out) {
    process.stderr.write(
      `switchboard contracts types: ${positionals.length === 0 ? 'name at least one AsyncAPI file or directory' : '--out DIR is required'}\n\n${CONTRACTS_TYPES_HELP}`,
    );
    return 2;
  }
  let generated;
  try {
    const set = await loadContractPaths(positionals);
    generated = await generateContractTypes(set, v['client-module'] ? { clientModule: v['client-module'] } : {});
  } catch (e) {
    process.stderr.write(`switchboard contracts types: ${e instanceof ContractLoadError ? 'cannot load the contracts: ' : ''}${(e as Error).message}\n`);
    return 1;
  }
  const out = resolve(v.out);
  const written: string[] = [];
  try {
    await mkdir(out, { recursive: true });
    for (const f of generated.files) {
      await writeFile(join(out, f.name), f.text);
      written.push(join(out, f.name));
    }
  } catch (e) {
    process.stderr.write(`switchboard contracts types: cannot write to ${out}: ${(e as Error).message}; choose another --out\n`);
    return 1;
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({ out, files: written, channels: generated.channels }, null, 2) + '\n');
    return 0;
  }
  const types = generated.channels.reduce((n, c) => n + c.messages.length, 0);
  const lines = [
    `Wrote ${written.map((f) => f.slice(out.length + 1)).join(', ')} to ${out}: ${plural(generated.channels.length, 'channel')}, ${plural(types, 'message type')}`,
  ];
  for (const c of generated.channels) lines.push(`  ${c.address}: ${c.messages.map((m) => `${m.type} → ${m.typeName}`).join(', ') || '(no messages)'}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

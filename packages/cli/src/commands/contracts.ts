import { parseArgs } from 'node:util';
import { readFile, stat } from 'node:fs/promises';
import {
  checkOperationMessages,
  ContractLoadError,
  contractProblem,
  createAsyncApiStructureValidator,
  diffContracts,
  listContractFiles,
  loadContractDocuments,
  type AsyncApiStructureValidator,
  type ContractChange,
  type ContractProblem,
  type ContractSet,
} from '@switchboard/contracts';
import { loadContractPaths, plural } from './contracts-common.js';

export const CONTRACTS_HELP = `Usage: switchboard contracts <check|diff|types|can-deploy> [options]

Checks AsyncAPI 3 contracts, compares two versions of them and generates TypeScript from them.

Commands:
  check FILE|DIR...          Load each AsyncAPI document (directories recursively) and report problems
  diff OLD NEW               Compare two versions (files or directories) field by field; classify who each change breaks
  types FILE|DIR... --out D  Generate TypeScript payload types and a typed SDK facade
  can-deploy NEW --hub URL   Replay the hub's stored messages through NEW: would any be refused? (or --data DIR)

Every command takes --help and --json. Documentation: docs/reference/cli.md
`;

export const CONTRACTS_CHECK_HELP = `Usage: switchboard contracts check FILE|DIR... [options]

Loads every AsyncAPI 3 document given (directories: every *.yaml, *.yml, *.json below them) on its own, the
way the hub loads contracts, and checks that every operation's messages belong to its channel. Payloads in
non-JSON-Schema formats (Avro, RAML, Protobuf) are accepted with a warning. Prints OK with the channels and
message types of each document, or each problem with file, line:column, JSON pointer and fix.

Options:
  --together          Also load all documents as one set, as 'switchboard start --contracts DIR' does
  --json              Print the result as JSON
  -h, --help          Show this help

Exit status: 0 all documents are good, 1 a problem was found, 2 usage error.
`;

export const CONTRACTS_DIFF_HELP = `Usage: switchboard contracts diff OLD NEW [options]

Compares two versions of the contracts (each an AsyncAPI file or a directory) channel by channel, message
type by message type and field by field, and says whom each change breaks: producers (messages they send
today would be refused), consumers (they may get messages of a shape they do not expect) or nobody.

Options:
  --fail-on SIDE      Exit 1 when a change breaks SIDE: producers, consumers, any or none (default producers)
  --json              Print the changes as a JSON array
  -h, --help          Show this help

Exit status: 0 no change breaks the --fail-on side, 1 one does (or a version cannot be loaded), 2 usage error.
`;

/** `switchboard contracts`: dispatches to its verbs. */
export async function contractsCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(CONTRACTS_HELP);
      return 0;
    case 'check':
      return checkCommand(rest);
    case 'diff':
      return diffCommand(rest);
    case 'types':
      return (await import('./contracts-types.js')).typesCommand(rest);
    case 'can-deploy':
      return (await import('./contracts-can-deploy.js')).canDeployCommand(rest);
    case undefined:
      process.stderr.write(`switchboard contracts: a command is needed (check, diff, types or can-deploy)\n\n${CONTRACTS_HELP}`);
      return 2;
    default:
      process.stderr.write(`switchboard contracts: unknown command "${verb}"\n\n${CONTRACTS_HELP}`);
      return 2;
  }
}

// ---------------------------------------------------------------------------------------------- check

type Problem = ContractProblem;

interface FileResult {
  file: string;
  ok: boolean;
  channels: Array<{ address: string; messageTypes: string[] }>;
  warnings: string[];
  problems: Problem[];
}

async function checkCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, together: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`switchboard contracts check: ${(err as Error).message}\n\n${CONTRACTS_CHECK_HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(CONTRACTS_CHECK_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`switchboard contracts check: name at least one AsyncAPI file or directory\n\n${CONTRACTS_CHECK_HELP}`);
    return 2;
  }

  const results: FileResult[] = [];
  const documents: Array<{ file: string; text: string }> = [];
  const structure = createAsyncApiStructureValidator();
  for (const arg of positionals) {
    let info;
    try {
      info = await stat(arg);
    } catch (e) {
      results.push(
        failed(arg, {
          file: arg,
          pointer: '',
          problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          fix: 'check the path',
        }),
      );
      continue;
    }
    const explicit = !info.isDirectory();
    for (const file of explicit ? [arg] : await listContractFiles(arg)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        results.push(
          failed(file, {
            file,
            pointer: '',
            problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
            fix: 'make the file readable',
          }),
        );
        continue;
      }
      const result = checkDocument(file, text, explicit, structure);
      if (result) {
        results.push(result);
        if (result.channels.length > 0 || result.ok) documents.push({ file, text });
      }
    }
  }
  let together: { ok: boolean; channels: number; problems: Problem[] } | undefined;
  if (v.together) {
    try {
      const set = loadContractDocuments(documents, { unsupportedSchemaFormats: 'skip' });
      together = { ok: true, channels: set.channels().length, problems: [] };
    } catch (e) {
      if (!(e instanceof ContractLoadError)) throw e;
      together = { ok: false, channels: 0, problems: [contractProblem(e)] };
    }
  }
  const ok = results.every((r) => r.ok) && (together?.ok ?? true);
  const problemCount = results.reduce((n, r) => n + r.problems.length, 0) + (together?.problems.length ?? 0);
  const warningCount = results.reduce((n, r) => n + r.warnings.length, 0);
  if (v.json) {
    process.stdout.write(
      JSON.stringify({ ok, documents: results, ...(together ? { together } : {}), problems: problemCount, warnings: warningCount }, null, 2) + '\n',
    );
  } else {
    const out: string[] = [];
    for (const r of results) {
      if (r.ok) {
        const types = r.channels.reduce((n, c) => n + c.messageTypes.length, 0);
        out.push(`OK    ${r.file}: ${plural(r.channels.length, 'channel')}, ${plural(types, 'message type')}`);
        for (const c of r.channels) out.push(`        ${c.address}: ${c.messageTypes.join(', ') || '(no messages)'}`);
      } else {
        out.push(`FAIL  ${r.file}`);
      }
      for (const p of r.problems) out.push(...formatProblem(p));
      for (const w of r.warnings) out.push(`  warning: ${w}`);
    }
    if (together) {
      out.push(
        together.ok
          ? `OK    all ${plural(documents.length, 'document')} together: ${plural(together.channels, 'channel')}`
          : `FAIL  all ${plural(documents.length, 'document')} together`,
      );
      for (const p of together.problems) out.push(...formatProblem(p));
    }
    const bad = results.filter((r) => !r.ok).length;
    out.push(
      '',
      `${plural(results.length, 'document')} checked: ${results.length - bad} ok, ${bad} with problems; ${plural(problemCount, 'problem')}, ${plural(warningCount, 'warning')}`,
    );
    (ok ? process.stdout : process.stderr).write(out.join('\n') + '\n');
  }
  return ok ? 0 : 1;
}

/** Checks one file on its own; undefined for a file of a directory that is not an AsyncAPI document (a $ref target). */
function checkDocument(file: string, text: string, explicit: boolean, structure: AsyncApiStructureValidator): FileResult | undefined {
  let set: ContractSet;
  try {
    set = loadContractDocuments([{ file, text }], { unsupportedSchemaFormats: 'skip' });
  } catch (e) {
    if (!(e instanceof ContractLoadError)) throw e;
    return failed(file, contractProblem(e));
  }
  if (set.sources[0] !== file) {
    if (!explicit) return undefined;
    return failed(file, {
      file,
      pointer: '',
      problem: 'this is not an AsyncAPI document (it has no "asyncapi" key)',
      fix: "add asyncapi: '3.0.0' at the top, or check the AsyncAPI document that $refs this file instead",
    });
  }
  const problems = [...structure.check(file, text), ...checkOperationMessages([{ file, text }])].map(contractProblem);
  return {
    file,
    ok: problems.length === 0,
    channels: set.channels().map((c) => ({ address: c.address, messageTypes: [...c.messageTypes] })),
    warnings: [...set.warnings],
    problems,
  };
}

function failed(file: string, p: Problem): FileResult {
  return { file, ok: false, channels: [], warnings: [], problems: [p] };
}

function formatProblem(p: Problem): string[] {
  const lineCol = p.line !== undefined ? `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : '';
  const pointer = p.pointer !== '' ? ` at #${p.pointer}` : '';
  return [`  ${p.file}${lineCol}${pointer}: ${p.problem}`, `    fix: ${p.fix}`];
}

// ----------------------------------------------------------------------------------------------- diff

const FAIL_ON = ['producers', 'consumers', 'any', 'none'] as const;
type FailOn = (typeof FAIL_ON)[number];

async function diffCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, 'fail-on': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`switchboard contracts diff: ${(err as Error).message}\n\n${CONTRACTS_DIFF_HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(CONTRACTS_DIFF_HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    process.stderr.write(`switchboard contracts diff: give exactly two versions, OLD and NEW (got ${positionals.length})\n\n${CONTRACTS_DIFF_HELP}`);
    return 2;
  }
  const failOn = (v['fail-on'] ?? 'producers') as FailOn;
  if (!FAIL_ON.includes(failOn)) {
    process.stderr.write(`switchboard contracts diff: --fail-on must be one of ${FAIL_ON.join(', ')}, not "${v['fail-on']}"\n`);
    return 2;
  }
  const sets: ContractSet[] = [];
  for (const [label, path] of [
    ['OLD', positionals[0]!],
    ['NEW', positionals[1]!],
  ] as const) {
    try {
      sets.push(await loadContractPaths([path]));
    } catch (e) {
      if (!(e instanceof ContractLoadError)) throw e;
      process.stderr.write(`switchboard contracts diff: cannot load ${label} (${path}): ${e.message}\n`);
      return 1;
    }
  }
  const changes = diffContracts(sets[0]!, sets[1]!);
  const failing = changes.filter((c) => (failOn === 'any' ? c.breaks !== 'nobody' : c.breaks === failOn));
  if (v.json) {
    process.stdout.write(JSON.stringify(changes.map(toJson), null, 2) + '\n');
  } else {
    process.stdout.write(formatTable(changes));
    const count = (b: string): number => changes.filter((c) => c.breaks === b).length;
    process.stdout.write(
      changes.length === 0
        ? 'No changes.\n'
        : `\n${plural(changes.length, 'change')}: ${breaks(count('producers'))} producers, ${breaks(count('consumers'))} consumers, ${breaks(count('nobody'))} nobody\n`,
    );
    if (failing.length > 0)
      process.stderr.write(
        `switchboard contracts diff: ${plural(failing.length, 'change')} ${failing.length === 1 ? 'breaks' : 'break'} ${failOn === 'any' ? 'producers or consumers' : failOn} (--fail-on ${failOn})\n`,
      );
  }
  return failing.length > 0 ? 1 : 0;
}

/** `1 breaks`, `2 break`, `0 break`: the verb agrees with the count. */
function breaks(n: number): string {
  return `${n} ${n === 1 ? 'breaks' : 'break'}`;
}

function toJson(c: ContractChange): Record<string, unknown> {
  return { kind: c.kind, channel: c.channel, type: c.type, path: c.path, old: c.old ?? null, new: c.new ?? null, breaks: c.breaks };
}

function show(v: unknown): string {
  if (v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function formatTable(changes: ContractChange[]): string {
  if (changes.length === 0) return '';
  const rows = changes.map((c) => [
    c.kind,
    c.type === null ? c.channel : `${c.channel} / ${c.type}`,
    c.path === null ? '' : c.path === '' ? '(payload)' : c.path,
    `${show(c.old)} → ${show(c.new)}`,
    c.breaks,
  ]);
  const head = ['change', 'channel / type', 'path', 'old → new', 'breaks'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

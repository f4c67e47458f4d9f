import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ContractLoadError, emptyContracts, loadContracts, type ContractSet } from '@switchboard/contracts';
import { FlowFileError } from '../scenario/flow-errors.js';
import { loadFlowFile } from '../scenario/flow-file.js';
import type { Flow } from '../scenario/flow-types.js';
import { lineProgress } from '../scenario/progress.js';
import { renderHtml } from '../scenario/report-html.js';
import { renderJunit } from '../scenario/report-junit.js';
import { renderMarkdown } from '../scenario/report-markdown.js';
import type { FlowResult } from '../scenario/results.js';
import { runFlow } from '../scenario/runner.js';

export const SCENARIO_HELP = `Usage: switchboard scenario <run> [options]

Runs end-to-end flows (YAML files) against a hub and writes the integration report.

Verbs:
  run FLOW.yaml…   Run the flows in turn; write report.md, report.html and junit.xml

switchboard scenario run --help lists its options. Guide: docs/guides/scenarios.md
`;

export const SCENARIO_RUN_HELP = `Usage: switchboard scenario run FLOW.yaml… [options]

Runs each flow: connects its components (the SDK, as each component), starts its run: programs, runs its
steps (publish, expect, request, http, wait, start, await) in order, checks its targets, then writes the
integration report.

Options:
  --hub URL         Run against a hub that already runs (http://host:port or ws://host:port/v1/ws).
                    Default: a hub started in this process on the embedded store (temporary directory,
                    127.0.0.1, a free port, dev mode) with the flow's contracts
  --contracts DIR   Contracts to enforce (in-process hub) and to check received messages against;
                    replaces the flow's own "contracts"
  --report DIR      Directory of report.md, report.html and junit.xml (default ./reports)
  --json            Print the results as JSON on stdout (progress goes to stderr)
  -h, --help        Show this help

Exit status: 0 every step, target and contract check passed; 1 something failed (each failure is listed
under "Known issues" in the report); 2 a flow file is invalid (every problem is printed with file, line,
step and fix) or a usage error.
`;

/** `switchboard scenario …` */
export async function scenarioCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === '-h' || verb === '--help') {
    process.stdout.write(SCENARIO_HELP);
    return 0;
  }
  if (verb === 'run') return scenarioRun(rest);
  process.stderr.write(`switchboard scenario: ${verb === undefined ? 'which verb?' : `unknown verb "${verb}"`}\n\n${SCENARIO_HELP}`);
  return 2;
}

async function scenarioRun(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        hub: { type: 'string' },
        contracts: { type: 'string' },
        report: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`switchboard scenario run: ${(err as Error).message}\n\n${SCENARIO_RUN_HELP}`);
    return 2;
  }
  const { values: args, positionals: files } = parsed;
  if (args.help) {
    process.stdout.write(SCENARIO_RUN_HELP);
    return 0;
  }
  if (files.length === 0) {
    process.stderr.write(`switchboard scenario run: no flow file given\n\n${SCENARIO_RUN_HELP}`);
    return 2;
  }
  const say = (text: string) => (args.json ? process.stderr : process.stdout).write(text);

  const flows: { flow: Flow; contracts: ContractSet; label: string }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      const flow = loadFlowFile(file);
      const dir = args.contracts !== undefined ? resolve(args.contracts) : flow.contractsDir;
      const contracts = dir ? await loadContracts(dir) : emptyContracts();
      const label = dir ? `${contracts.channels().length} channel(s) from ${dir}` : 'none';
      flows.push({ flow, contracts, label });
    } catch (err) {
      if (err instanceof FlowFileError) problems.push(err.message);
      else if (err instanceof ContractLoadError) problems.push(`${file}: cannot load the contracts: ${err.message}`);
      else throw err;
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`switchboard scenario run: invalid flow file\n${problems.join('\n')}\n`);
    return 2;
  }

  const progress = lineProgress(say);
  const results: FlowResult[] = [];
  for (const f of flows) {
    results.push(await runFlow(f.flow, { contracts: f.contracts, contractsLabel: f.label, progress, ...(args.hub !== undefined ? { hubUrl: args.hub } : {}) }));
  }

  const dir = resolve(args.report ?? 'reports');
  const generatedAt = new Date().toISOString();
  const paths = { markdown: join(dir, 'report.md'), html: join(dir, 'report.html'), junit: join(dir, 'junit.xml') };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.markdown, renderMarkdown(results, generatedAt));
    writeFileSync(paths.html, renderHtml(results, generatedAt));
    writeFileSync(paths.junit, renderJunit(results));
  } catch (err) {
    process.stderr.write(`switchboard scenario run: cannot write the report in ${dir}: ${(err as Error).message}; choose another directory with --report\n`);
    return 1;
  }
  const pass = results.every((r) => r.pass);
  say(
    `\n${pass ? 'PASS' : 'FAIL'}: ${results.filter((r) => r.pass).length}/${results.length} flow(s) passed. Report: ${paths.markdown}, ${paths.html}, ${paths.junit}\n`,
  );
  if (args.json) process.stdout.write(`${JSON.stringify({ pass, reports: paths, flows: results }, null, 2)}\n`);
  return pass ? 0 : 1;
}

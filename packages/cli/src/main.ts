import { startCommand, START_HELP } from './commands/start.js';
import { tokenCommand, TOKEN_HELP } from './commands/token.js';
import { contractsCommand, CONTRACTS_CHECK_HELP, CONTRACTS_DIFF_HELP, CONTRACTS_HELP } from './commands/contracts.js';
import { scenarioCommand, SCENARIO_HELP, SCENARIO_RUN_HELP } from './commands/scenario.js';
import { CONTRACTS_TYPES_HELP } from './commands/contracts-types.js';
import { CONTRACTS_CAN_DEPLOY_HELP } from './commands/contracts-can-deploy.js';

const HELP = `Usage: switchboard <command> [options]

Commands:
  start      Run a hub node (WebSocket + HTTP) on the embedded store
  token      Print a signed token (HS256 JWT) for a component
  contracts  Check AsyncAPI contracts, diff, generate types, test a deploy: contracts check | diff | types | can-deploy
  scenario   Run end-to-end flows and write the integration report: scenario run
  help       Show this help, or the help of a command: switchboard help start

Every command takes --help. Documentation: docs/reference/cli.md
`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, or undefined to keep running. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(HELP);
      return 0;
    case 'help':
      if (rest[0] === 'start') process.stdout.write(START_HELP);
      else if (rest[0] === 'token') process.stdout.write(TOKEN_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'check') process.stdout.write(CONTRACTS_CHECK_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'diff') process.stdout.write(CONTRACTS_DIFF_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'types') process.stdout.write(CONTRACTS_TYPES_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'can-deploy') process.stdout.write(CONTRACTS_CAN_DEPLOY_HELP);
      else if (rest[0] === 'contracts') process.stdout.write(CONTRACTS_HELP);
      else if (rest[0] === 'scenario' && rest[1] === 'run') process.stdout.write(SCENARIO_RUN_HELP);
      else if (rest[0] === 'scenario') process.stdout.write(SCENARIO_HELP);
      else process.stdout.write(HELP);
      return 0;
    case 'start':
      return startCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'contracts':
      return contractsCommand(rest);
    case 'scenario':
      return scenarioCommand(rest);
    case '--version':
    case '-v':
      process.stdout.write('switchboard 0.1.0\n');
      return 0;
    default:
      process.stderr.write(`switchboard: unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

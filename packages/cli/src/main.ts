// Each command's module (and the dependencies it needs) is loaded only when that command runs, so that
// `switchboard --help` and every command start without loading the others' dependencies.
const commands = {
  start: () => import('./commands/start.js'),
  token: () => import('./commands/token.js'),
  keys: () => import('./commands/keys.js'),
  contracts: () => import('./commands/contracts.js'),
  contractsTypes: () => import('./commands/contracts-types.js'),
  contractsCanDeploy: () => import('./commands/contracts-can-deploy.js'),
  scenario: () => import('./commands/scenario.js'),
  status: () => import('./commands/status.js'),
  dlq: () => import('./commands/dlq.js'),
  webhooks: () => import('./commands/webhooks.js'),
  rollout: () => import('./commands/rollout.js'),
  flags: () => import('./commands/flags.js'),
};

const HELP = `Usage: switchboard <command> [options]

Commands:
  start      Run a hub node (WebSocket + HTTP) on the embedded store
  token      Print a signed token (JWT: HS256, or RS256/ES256/EdDSA with --key) for a component
  keys       Make a signing key pair and the JWKS for the hub: keys generate
  contracts  Check AsyncAPI contracts, diff, generate types, test a deploy: contracts check | diff | types | can-deploy
  scenario   Run end-to-end flows and write the integration report: scenario run
  status     Print a hub's status: connections, channels, rates, consumer lag, dead letters
  dlq        Read, replay and purge dead letters: dlq list | show | replay | purge
  webhooks   Show outbound webhooks and try one: webhooks list | status NAME | test NAME
  rollout    Canary rollouts of consumer groups: rollout start | status | promote | pause | resume | abort
  flags      Feature flags: flags list | get KEY | set KEY | history KEY
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
      if (rest[0] === 'start') process.stdout.write((await commands.start()).START_HELP);
      else if (rest[0] === 'token') process.stdout.write((await commands.token()).TOKEN_HELP);
      else if (rest[0] === 'keys') process.stdout.write((await commands.keys()).KEYS_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'check') process.stdout.write((await commands.contracts()).CONTRACTS_CHECK_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'diff') process.stdout.write((await commands.contracts()).CONTRACTS_DIFF_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'types') process.stdout.write((await commands.contractsTypes()).CONTRACTS_TYPES_HELP);
      else if (rest[0] === 'contracts' && rest[1] === 'can-deploy') process.stdout.write((await commands.contractsCanDeploy()).CONTRACTS_CAN_DEPLOY_HELP);
      else if (rest[0] === 'contracts') process.stdout.write((await commands.contracts()).CONTRACTS_HELP);
      else if (rest[0] === 'scenario' && rest[1] === 'run') process.stdout.write((await commands.scenario()).SCENARIO_RUN_HELP);
      else if (rest[0] === 'scenario') process.stdout.write((await commands.scenario()).SCENARIO_HELP);
      else if (rest[0] === 'status') process.stdout.write((await commands.status()).STATUS_HELP);
      else if (rest[0] === 'dlq') process.stdout.write((await commands.dlq()).DLQ_HELP);
      else if (rest[0] === 'webhooks') process.stdout.write((await commands.webhooks()).WEBHOOKS_HELP);
      else if (rest[0] === 'rollout') process.stdout.write((await commands.rollout()).ROLLOUT_HELP);
      else if (rest[0] === 'flags') process.stdout.write((await commands.flags()).FLAGS_HELP);
      else process.stdout.write(HELP);
      return 0;
    case 'start':
      return (await commands.start()).startCommand(rest);
    case 'token':
      return (await commands.token()).tokenCommand(rest);
    case 'keys':
      return (await commands.keys()).keysCommand(rest);
    case 'contracts':
      return (await commands.contracts()).contractsCommand(rest);
    case 'scenario':
      return (await commands.scenario()).scenarioCommand(rest);
    case 'status':
      return (await commands.status()).statusCommand(rest);
    case 'dlq':
      return (await commands.dlq()).dlqCommand(rest);
    case 'webhooks':
      return (await commands.webhooks()).webhooksCommand(rest);
    case 'rollout':
      return (await commands.rollout()).rolloutCommand(rest);
    case 'flags':
      return (await commands.flags()).flagsCommand(rest);
    case '--version':
    case '-v':
      process.stdout.write('switchboard 0.1.0\n');
      return 0;
    default:
      process.stderr.write(`switchboard: unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AdminClientError, adminClient, defaultHub, type AdminClient } from './admin-client.js';

/** A mistake in the command line (exit status 2), said in one line. */
export class UsageError extends Error {}

/** The options every admin command takes: `--hub`, `--token`, `--json`, `--help`. */
const COMMON = {
  hub: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What {@link runAdminVerbs} passes to the verb: the positionals after the verb, the option values, a client. */
export interface VerbCall<V> {
  verb: string;
  args: string[];
  values: V & { json?: boolean };
  /** A client of the hub of `--hub` with the token of `--token` (made on first use). */
  client(): AdminClient;
}

/**
 * Runs `switchboard <command> <verb> …` of an admin command: parses the common and `options`, prints `help` for
 * `--help` or no verb, and turns a {@link UsageError} into exit status 2 and an {@link AdminClientError} into 1, each
 * as one line `switchboard <command>: <message>`.
 */
export async function runAdminVerbs<V>(
  command: string,
  help: string,
  argv: string[],
  options: ParseArgsConfig['options'],
  run: (call: VerbCall<V>) => Promise<number>,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...COMMON, ...options }, strict: true });
  } catch (err) {
    process.stderr.write(`switchboard ${command}: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
  const values = parsed.values as V & { hub?: string; token?: string; json?: boolean; help?: boolean };
  const [verb, ...args] = parsed.positionals;
  if (values.help || verb === undefined) {
    (values.help ? process.stdout : process.stderr).write(help);
    return values.help ? 0 : 2;
  }
  try {
    return await run({
      verb,
      args,
      values,
      client: () => adminClient(values.hub ?? defaultHub(), values.token ?? (process.env.SWITCHBOARD_TOKEN || undefined)),
    });
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof AdminClientError)) throw err;
    process.stderr.write(`switchboard ${command}: ${err.message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

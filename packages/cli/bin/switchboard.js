#!/usr/bin/env node
// The `switchboard` command. This file is committed (dist/ is not), so that npm can link the command when it
// installs the package, before the build has made dist/; it only loads the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write(
    `switchboard: the CLI is not built yet (${fileURLToPath(built)} is missing).\n` +
      'Run `npm run build` first, from the root of the Switchboard repository, then run the command again.\n',
  );
  process.exitCode = 1;
}

#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`switchboard: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

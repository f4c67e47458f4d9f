// Helpers of the polyglot test: check that the Python and Java runtimes of the polyglot parts are installed.
import { spawnSync } from 'node:child_process';

/** Runs `cmd args` to completion; its first output line, or undefined when it fails or is missing. */
export function probe(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}

/**
 * Why the polyglot parts cannot run here, or undefined when they can: Debian's python3-websockets for
 * `/usr/bin/python3`, and a JDK 17+ `java` (`bash scripts/test.sh` installs both).
 */
export function missingRuntimes(python: string): string | undefined {
  const missing: string[] = [];
  if (probe(python, ['-c', 'import websockets']) === undefined) missing.push(`${python} with websockets (apt-get install python3-websockets)`);
  const java = probe('java', ['-version']);
  const major = java === undefined ? 0 : Number(/version "(\d+)/.exec(java)?.[1] ?? 0);
  if (major < 17) missing.push(`java 17+ (apt-get install openjdk-17-jdk-headless)${java ? `; found ${java}` : ''}`);
  return missing.length ? `not installed: ${missing.join(', ')}; bash scripts/test.sh installs them` : undefined;
}

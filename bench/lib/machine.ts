/** The machine and software a run happened on, for RESULTS.md and the JSON records. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsServerVersion } from '../targets/nats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  packages: Record<string, string>;
  natsServer: string;
  commit: string;
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? '?';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  let kernel = '?';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    /* not Linux */
  }
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  const packages: Record<string, string> = {};
  for (const p of ['ws', 'socket.io', 'socket.io-client', '@nats-io/transport-node', '@nats-io/jetstream', 'hdr-histogram-js', 'tsx']) {
    const v = pkgVersion(p);
    if (v !== '?') packages[p] = v;
  }
  packages.switchboard = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    cpu,
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel,
    node: process.version,
    packages,
    natsServer: natsServerVersion() ?? 'not installed',
    commit,
  };
}

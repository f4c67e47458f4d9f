import { parseArgs } from 'node:util';
import { parseDuration } from '@switchboard/contracts';
import { AdminClientError, adminClient, defaultHub } from '../admin/admin-client.js';
import { renderStatus, type StatusJson } from '../admin/status-view.js';

export const STATUS_HELP = `Usage: switchboard status [options]

Prints the status of a hub node: its version, uptime and store, who is connected in which version, and each
channel with its head, rates over the last minute, subscribers, dead letters and contract, and each consumer
group with its lag (head - ack floor) and pending deliveries. Needs an admin token unless the hub runs --dev.

Options:
  --hub URL           The hub (http://host:port or ws://host:port/v1/ws)   (default http://127.0.0.1:7700) SWITCHBOARD_HUB
  --token T           An admin token (switchboard token --admin)                                  SWITCHBOARD_TOKEN
  --json              Print the status JSON as the hub answers it (GET /v1/admin/status)
  --watch             Refresh until interrupted (Ctrl-C)
  --interval DURATION How often --watch refreshes                                       (default 2s)
  -h, --help          Show this help

Exit status: 0 printed; 1 the hub did not answer or refused (the message says what to change); 2 a usage error.
`;

/** `switchboard status`: prints `GET /v1/admin/status` as tables (or JSON), once or with `--watch`. */
export async function statusCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        hub: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
        watch: { type: 'boolean' },
        interval: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`switchboard status: ${(err as Error).message}\n\n${STATUS_HELP}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(STATUS_HELP);
    return 0;
  }
  let intervalMs = 2000;
  if (v.interval !== undefined) {
    try {
      intervalMs = parseDuration(v.interval);
    } catch (err) {
      process.stderr.write(`switchboard status: --interval: ${(err as Error).message}; write a duration like 500ms or 5s\n`);
      return 2;
    }
  }
  try {
    const client = adminClient(v.hub ?? defaultHub(), v.token ?? (process.env.SWITCHBOARD_TOKEN || undefined));
    const show = async () => {
      const status = await client.get<StatusJson>('/v1/admin/status');
      return v.json ? JSON.stringify(status, null, 2) + '\n' : renderStatus(status);
    };
    if (!v.watch) {
      process.stdout.write(await show());
      return 0;
    }
    return await watch(show, intervalMs);
  } catch (err) {
    if (!(err instanceof AdminClientError)) throw err;
    process.stderr.write(`switchboard status: ${err.message}\n`);
    return 1;
  }
}

/** Prints `show()` every `intervalMs` (clearing a terminal first) until SIGINT or SIGTERM; resolves with 0. */
function watch(show: () => Promise<string>, intervalMs: number): Promise<number> {
  const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const tick = async () => {
      let text: string;
      try {
        text = await show();
      } catch (err) {
        if (!(err instanceof AdminClientError)) throw err;
        text = `switchboard status: ${err.message} (retrying every ${intervalMs} ms)\n`;
      }
      if (stopped) return;
      process.stdout.write(`${clear}${text}${clear ? '' : '\n'}`);
      timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  });
}

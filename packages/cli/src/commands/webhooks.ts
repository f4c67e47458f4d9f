import { cut, table, type AdminClient } from '../admin/admin-client.js';
import { runAdminVerbs, UsageError } from '../admin/admin-verbs.js';

export const WEBHOOKS_HELP = `Usage: switchboard webhooks <list|status|test> [NAME] [options]

Shows the outbound webhooks of a hub (the webhooks: key of switchboard.yaml) and tries one. Needs an admin token
unless the hub runs --dev.

Verbs:
  list                  Every webhook: url, state, circuit breaker, lag, requests in flight
  status NAME           One webhook: its settings, outcomes since the hub started, the last attempt
  test NAME             Send a signed webhook.test message (not stored, not retried) and print the answer

Options:
  --hub URL           The hub (http://host:port or ws://host:port/v1/ws)   (default http://127.0.0.1:7700) SWITCHBOARD_HUB
  --token T           An admin token (switchboard token --admin)                                  SWITCHBOARD_TOKEN
  --json              Print the hub's JSON answer
  -h, --help          Show this help

Exit status: 0 done (test: the endpoint answered 2xx); 1 the hub did not answer or refused, or the test was not
answered 2xx; 2 a usage error. Guide: docs/guides/webhooks.md
`;

interface WebhookJson {
  name: string;
  url: string;
  channels: string[];
  types?: string[];
  enabled: boolean;
  disabled?: { at: string; reason: string };
  breaker: string;
  in_flight: number;
  lag: number;
  ordered: boolean;
  max_in_flight: number;
  outcomes: Record<string, number>;
  last_attempt?: { at: string; status?: number; error?: string; ch: string; seq: number };
}

interface TestJson {
  webhook: string;
  url: string;
  webhook_id: string;
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
  ms: number;
}

/** `switchboard webhooks …` */
export function webhooksCommand(argv: string[]): Promise<number> {
  return runAdminVerbs<object>('webhooks', WEBHOOKS_HELP, argv, {}, async ({ verb, args, values, client }) => {
    const [name, ...extra] = args;
    if (!['list', 'status', 'test'].includes(verb)) throw new UsageError(`unknown verb "${verb}"; use list, status or test`);
    if (extra.length > 0 || (verb === 'list' && name !== undefined)) throw new UsageError(`unexpected "${verb === 'list' ? name : extra[0]}"`);
    if (verb !== 'list' && name === undefined)
      throw new UsageError(`which webhook? e.g. switchboard webhooks ${verb} payments (switchboard webhooks list shows them)`);
    const json = values.json === true;
    if (verb === 'list') return list(client(), json);
    if (verb === 'status') return status(client(), name!, json);
    return test(client(), name!, json);
  });
}

const stateOf = (w: WebhookJson): string => (w.enabled ? 'enabled' : 'disabled');

async function list(client: AdminClient, json: boolean): Promise<number> {
  const body = await client.get<{ webhooks: WebhookJson[] }>('/v1/admin/webhooks');
  if (json) process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  else if (body.webhooks.length === 0) process.stdout.write('No webhooks: add them under webhooks: in switchboard.yaml (docs/guides/webhooks.md)\n');
  else {
    const rows = body.webhooks.map((w) => [
      w.name,
      cut(w.url, 48),
      stateOf(w),
      w.breaker.replace('_', '-'),
      String(w.lag),
      String(w.in_flight),
      w.channels.join(','),
    ]);
    process.stdout.write(table([['NAME', 'URL', 'STATE', 'BREAKER', 'LAG', 'IN FLIGHT', 'CHANNELS'], ...rows], ''));
  }
  return 0;
}

async function status(client: AdminClient, name: string, json: boolean): Promise<number> {
  const w = await client.get<WebhookJson>(`/v1/admin/webhooks/${encodeURIComponent(name)}`);
  if (json) {
    process.stdout.write(JSON.stringify(w, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `Webhook ${w.name}  ${stateOf(w)}${w.disabled ? ` since ${w.disabled.at}: ${w.disabled.reason}` : ''}`,
    `  url          ${w.url}`,
    `  channels     ${w.channels.join(', ')}${w.types ? `  types ${w.types.join(', ')}` : ''}`,
    `  breaker      ${w.breaker.replace('_', '-')}`,
    `  lag          ${w.lag}   in flight ${w.in_flight} of ${w.ordered ? '1 (ordered)' : w.max_in_flight}`,
    `  outcomes     ${Object.entries(w.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  ];
  const a = w.last_attempt;
  if (a) lines.push(`  last attempt ${a.at}  ${a.ch} seq ${a.seq}  ${a.status !== undefined ? `HTTP ${a.status}` : a.error}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function test(client: AdminClient, name: string, json: boolean): Promise<number> {
  const r = await client.post<TestJson>(`/v1/admin/webhooks/${encodeURIComponent(name)}/test`, {});
  if (json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    const answer = r.status !== undefined ? `HTTP ${r.status}` : `no answer: ${r.error}`;
    process.stdout.write(`webhook.test ${r.webhook_id} → ${r.url}: ${answer} in ${r.ms} ms\n`);
    if (r.body) process.stdout.write(`${r.body}\n`);
  }
  return r.ok ? 0 : 1;
}

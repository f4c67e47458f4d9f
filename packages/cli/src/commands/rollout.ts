import { setTimeout as sleep } from 'node:timers/promises';
import type { RolloutStatusJson as RolloutJson, SideFigures } from '@switchboard/hub';
import { table, type AdminClient } from '../admin/admin-client.js';
import { runAdminVerbs, UsageError } from '../admin/admin-verbs.js';

export const ROLLOUT_HELP = `Usage: switchboard rollout <start|status|promote|pause|resume|abort> [ARGS] [options]

Canary rollouts of a consumer group: a share of the group's messages goes to the members whose hello.version is the
new version, step by step, and the hub rolls it back at once when the canary's error rate or latency passes its
guardrail. Needs an admin token unless the hub runs --dev.

Verbs:
  start CHANNEL GROUP VERSION   Start a rollout of VERSION on GROUP of CHANNEL (options below); prints its view
  status [ID]                   Every rollout; with ID, one rollout: steps, weight, guardrails, figures per side
  promote ID                    Go to the next step now (after the last: completed)
  pause ID                      Stay at this step (the hold stops counting)
  resume ID                     Go on from a pause
  abort ID                      Stop: the canary gets nothing (weight 0), what it held goes to stable members

Options of start:
  --steps LIST             Canary weights in percent, ending with 100          (default 5,25,50,100)
  --hold D                 Time at each step without a breach before the next   (default 2m)
  --window D               Sliding window the guardrails judge                  (default 1m)
  --max-error-rate R       Nacks and ack timeouts over deliveries, 0 to 1       (default 0.05)
  --max-latency-p95 D      Delivery-to-ack p95 of the canary                    (default 2s)
  --min-samples N          Canary deliveries a guardrail needs before it judges (default 100)
  --max-lag N              Canary messages not yet acknowledged before a rollback (default: not judged)
  --key-field F            Data field that keeps a key on one side               (default meta.key)

Options:
  --watch             status ID / start: a live view of the steps until the rollout ends (exit 0 completed, 1 not)
  --hub URL           The hub (http://host:port or ws://host:port/v1/ws)   (default http://127.0.0.1:7700) SWITCHBOARD_HUB
  --token T           An admin token (switchboard token --admin)                                  SWITCHBOARD_TOKEN
  --json              Print the hub's JSON answer
  -h, --help          Show this help

Exit status: 0 done; 1 the hub did not answer or refused (e.g. a rollout already runs on the group), or a watched
rollout ended other than completed; 2 a usage error. Guide: docs/guides/rollouts.md
`;

interface StartValues {
  steps?: string;
  hold?: string;
  window?: string;
  'max-error-rate'?: string;
  'max-latency-p95'?: string;
  'min-samples'?: string;
  'key-field'?: string;
  'max-lag'?: string;
  watch?: boolean;
}

const OPTIONS = {
  steps: { type: 'string' },
  hold: { type: 'string' },
  window: { type: 'string' },
  'max-error-rate': { type: 'string' },
  'max-latency-p95': { type: 'string' },
  'min-samples': { type: 'string' },
  'key-field': { type: 'string' },
  'max-lag': { type: 'string' },
  watch: { type: 'boolean' },
} as const;

const FINAL = new Set(['completed', 'rolled_back', 'aborted']);

/** `switchboard rollout …` */
export function rolloutCommand(argv: string[]): Promise<number> {
  return runAdminVerbs<StartValues>('rollout', ROLLOUT_HELP, argv, OPTIONS, async ({ verb, args, values, client }) => {
    const json = values.json === true;
    if (verb === 'start') {
      if (args.length !== 3) throw new UsageError('start takes CHANNEL GROUP VERSION, e.g. switchboard rollout start orders.placed billing 2.0.0');
      const body = startBody(args as [string, string, string], values);
      const r = await client().post<RolloutJson>('/v1/admin/rollouts', body);
      return values.watch ? watch(client(), r.id, json, r) : show(r, json);
    }
    if (verb === 'status') {
      if (args.length > 1) throw new UsageError(`unexpected "${args[1]}"`);
      if (args[0] === undefined) {
        if (values.watch) throw new UsageError('--watch needs a rollout id: switchboard rollout status ID --watch');
        return list(client(), json);
      }
      if (values.watch) return watch(client(), args[0], json);
      return show(await client().get<RolloutJson>(`/v1/admin/rollouts/${encodeURIComponent(args[0])}`), json);
    }
    if (['promote', 'pause', 'resume', 'abort'].includes(verb)) {
      if (args.length !== 1) throw new UsageError(`which rollout? e.g. switchboard rollout ${verb} ID (switchboard rollout status lists them)`);
      return show(await client().post<RolloutJson>(`/v1/admin/rollouts/${encodeURIComponent(args[0]!)}/${verb}`, {}), json);
    }
    throw new UsageError(`unknown verb "${verb}"; use start, status, promote, pause, resume or abort`);
  });
}

function startBody([channel, group, version]: [string, string, string], v: StartValues): Record<string, unknown> {
  const body: Record<string, unknown> = { channel, group, version };
  if (v.steps !== undefined) {
    const steps = v.steps.split(',').map((s) => Number(s.trim().replace(/%$/, '')));
    if (steps.some((s) => !Number.isInteger(s)))
      throw new UsageError(`--steps must be whole percentages separated by commas, e.g. 5,25,50,100; got ${v.steps}`);
    body.steps = steps;
  }
  if (v.hold !== undefined) body.hold = v.hold;
  if (v.window !== undefined) body.window = v.window;
  if (v['max-latency-p95'] !== undefined) body.max_latency_p95 = v['max-latency-p95'];
  if (v['key-field'] !== undefined) body.key_field = v['key-field'];
  if (v['max-error-rate'] !== undefined) {
    const n = Number(v['max-error-rate']);
    if (!Number.isFinite(n)) throw new UsageError(`--max-error-rate must be a number from 0 to 1, e.g. 0.05; got ${v['max-error-rate']}`);
    body.max_error_rate = n;
  }
  if (v['max-lag'] !== undefined) {
    const n = Number(v['max-lag']);
    if (!Number.isInteger(n)) throw new UsageError(`--max-lag must be a whole number, e.g. 1000; got ${v['max-lag']}`);
    body.max_lag = n;
  }
  if (v['min-samples'] !== undefined) {
    const n = Number(v['min-samples']);
    if (!Number.isInteger(n)) throw new UsageError(`--min-samples must be a whole number, e.g. 100; got ${v['min-samples']}`);
    body.min_samples = n;
  }
  return body;
}

async function list(client: AdminClient, json: boolean): Promise<number> {
  const body = await client.get<{ rollouts: RolloutJson[] }>('/v1/admin/rollouts');
  if (json) process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  else if (body.rollouts.length === 0) process.stdout.write('No rollouts: start one with switchboard rollout start CHANNEL GROUP VERSION\n');
  else {
    const rows = body.rollouts.map((r) => [
      r.id,
      r.channel,
      r.group,
      r.version,
      r.state,
      `${r.step}/${r.steps.length}`,
      `${r.weight} %`,
      pct(r.canary.error_rate),
    ]);
    process.stdout.write(table([['ID', 'CHANNEL', 'GROUP', 'VERSION', 'STATE', 'STEP', 'WEIGHT', 'CANARY ERRORS'], ...rows], ''));
  }
  return 0;
}

function show(r: RolloutJson, json: boolean): number {
  process.stdout.write(json ? JSON.stringify(r, null, 2) + '\n' : rolloutView(r, Date.now()));
  return 0;
}

/** Prints the view again whenever it changes, until the rollout ends; 0 when it completed. */
async function watch(client: AdminClient, id: string, json: boolean, first?: RolloutJson): Promise<number> {
  let last = '';
  const tty = process.stdout.isTTY === true && !json;
  let given = first;
  for (;;) {
    const r = given ?? (await client.get<RolloutJson>(`/v1/admin/rollouts/${encodeURIComponent(id)}`));
    given = undefined;
    const text = json ? JSON.stringify(r) + '\n' : rolloutView(r, Date.now());
    const key = json ? text : text.replace(/\(in [^)]*\)/, '');
    if (key !== last) {
      process.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : text);
      last = key;
    }
    if (FINAL.has(r.state)) return r.state === 'completed' ? 0 : 1;
    await sleep(1000);
  }
}

/** The live view of one rollout: its steps (done, current, to come), the guardrails and each side's figures. */
export function rolloutView(r: RolloutJson, now: number): string {
  const steps = r.steps
    .map((w, i) => {
      const n = i + 1;
      const mark = r.state === 'completed' || n < r.step ? '[x]' : n === r.step ? (r.state === 'rolled_back' || r.state === 'aborted' ? '[!]' : '[>]') : '[ ]';
      return `${mark} ${w} %`;
    })
    .join('  ');
  const next = r.next_step_at ? `, next step ${r.next_step_at} (in ${Math.max(0, Math.round((Date.parse(r.next_step_at) - now) / 1000))} s)` : '';
  const side = (s: SideFigures) =>
    `delivered ${s.delivered}  errors ${s.errors}  error rate ${pct(s.error_rate)}  p95 ${s.latency_p95_ms === null ? '-' : `${s.latency_p95_ms} ms`}`;
  const lines = [
    `Rollout ${r.id}  ${r.channel} / ${r.group} → ${r.version}  ${r.state.replace('_', ' ')}`,
    `  steps       ${steps}`,
    `  now         step ${r.step} of ${r.steps.length}, weight ${r.weight} %${next}`,
    `  guardrails  error rate ≤ ${pct(r.max_error_rate)}, latency p95 ≤ ${r.max_latency_p95}, over ${r.window} once ${r.min_samples} samples; hold ${r.hold}`,
    `  canary      ${side(r.canary)}`,
    `  stable      ${side(r.stable)}`,
  ];
  if (r.reason) lines.push(`  reason      ${r.reason}`);
  return lines.join('\n') + '\n';
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

import { channelNameProblem, dlqChannel, SwitchboardError } from '@switchboard/protocol';
import type { HttpContext, HttpRoute } from '../features/feature.js';
import { decodePathParam, intParam, sendJsonText } from '../transport/http-io.js';
import { requireAdmin } from './admin-auth.js';
import { listDeadLetterLogs, listDeadLetters, originalChannel, purgeBound } from './dlq-entries.js';
import { replayAll, replayRequest, replaySeqs, type ReplayOutcome } from './dlq-replay.js';
import type { History } from './history.js';
import { buildMap } from './integration-map.js';
import { channelDetail } from './channel-detail.js';
import { buildStatus, type StatusSource } from './status.js';

const MAX_DLQ_PAGE = 1000;

/** The HTTP routes of the admin API under `/v1/admin/` (docs/reference/http.md#admin-api). */
export function adminRoutes(src: StatusSource, history: History, now: () => number): HttpRoute[] {
  const { host } = src;
  const { config } = host;
  return [
    {
      path: '/v1/admin/status',
      methods: ['GET'],
      hint: 'use GET to read the status of this hub node',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the hub status');
        ctx.json(200, await buildStatus(src));
      },
    },
    {
      path: '/v1/admin/map',
      methods: ['GET'],
      hint: 'use GET to read the integration map',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the integration map');
        ctx.json(200, buildMap(src));
      },
    },
    {
      path: '/v1/admin/history',
      methods: ['GET'],
      hint: 'use GET to read the last hour of a channel (?ch=) or the channels with a history',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the history');
        const ch = ctx.url.searchParams.get('ch');
        const base = { node: config.nodeId, interval_s: history.intervalMs / 1000, slots: history.slots };
        if (!ch) return ctx.json(200, { ...base, channels: history.channels() });
        const problem = channelNameProblem(ch);
        if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `no history for "${ch}": ${problem}`);
        const h = history.read(ch);
        ctx.json(
          200,
          h ? { node: config.nodeId, ...h } : { ...base, ch, t: [], published: [], delivered: [], refused: [], latency_ms: { p50: [], p99: [] }, groups: [] },
        );
      },
    },
    {
      path: /^\/v1\/admin\/channels\/([^/]+)$/,
      methods: ['GET'],
      hint: 'use GET to read the settings and the contract of a channel',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read a channel');
        const ch = decodePathParam(ctx.params[0]!, 'channel name', 'UNKNOWN_CHANNEL');
        const problem = channelNameProblem(ch, 256, true);
        if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `no channel "${ch}": ${problem}`);
        ctx.json(200, channelDetail(host, ch));
      },
    },
    {
      path: '/v1/admin/dlq',
      methods: ['GET'],
      hint: 'use GET to list the dead-letter logs',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read dead letters');
        ctx.json(200, { logs: await listDeadLetterLogs(host.store) });
      },
    },
    {
      path: /^\/v1\/admin\/dlq\/([^/]+)$/,
      methods: ['GET'],
      hint: 'use GET to read the dead letters of a channel (POST …/replay or …/purge to act on them)',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read dead letters');
        const ch = channelParam(ctx);
        const from = intParam(ctx.url.searchParams, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(ctx.url.searchParams, 'limit', 100, 1, MAX_DLQ_PAGE);
        sendJsonText(ctx.res, 200, await listDeadLetters(host.store, ch, from, limit));
      },
    },
    {
      path: /^\/v1\/admin\/dlq\/([^/]+)\/replay$/,
      methods: ['POST'],
      hint: 'use POST with {"seqs":[…]} or {"all":true} to replay dead letters',
      async handle(ctx) {
        const who = await requireAdmin(config, ctx, 'replay dead letters');
        const ch = channelParam(ctx);
        const request = replayRequest((await ctx.body()).value);
        const deps = { host, now };
        const { results, more } =
          'all' in request ? await replayAll(deps, ch, who.component) : { results: await replaySeqs(deps, ch, request.seqs, who.component), more: false };
        const counts = tally(results);
        host.log.info(
          { admin: who.component, action: 'dlq.replay', ch, request: 'all' in request ? 'all' : request.seqs, ...counts, more },
          `admin: ${who.component} replayed dead letters of ${ch}: ${counts.replayed} replayed, ${counts.already_replayed} already replayed, ${counts.refused} refused`,
        );
        host.audit({
          action: 'dlq.replay',
          outcome: 'ok',
          component: who.component,
          target: ch,
          details: { request: 'all' in request ? 'all' : request.seqs.length, ...counts, more },
        });
        ctx.json(200, { ch, ...counts, more, results });
      },
    },
    {
      path: /^\/v1\/admin\/dlq\/([^/]+)\/purge$/,
      methods: ['POST'],
      hint: 'use POST with {"up_to_seq":n} to remove dead letters',
      async handle(ctx) {
        const who = await requireAdmin(config, ctx, 'purge dead letters');
        const ch = channelParam(ctx);
        const upTo = purgeBound((await ctx.body()).value);
        const purged = await host.store.trim(dlqChannel(ch), upTo);
        const info = await host.store.info(dlqChannel(ch));
        host.log.info(
          { admin: who.component, action: 'dlq.purge', ch, up_to_seq: upTo, purged },
          `admin: ${who.component} purged ${purged} dead letters of ${ch} up to seq ${upTo}`,
        );
        host.audit({ action: 'dlq.purge', outcome: 'ok', component: who.component, target: ch, details: { up_to_seq: upTo, purged } });
        ctx.json(200, { ch, up_to_seq: upTo, purged, depth: info.count, first: info.first, head: info.last });
      },
    },
  ];
}

/** The original channel of a `/v1/admin/dlq/{ch}` path (`$dlq.` prefix optional). */
function channelParam(ctx: HttpContext): string {
  const ch = originalChannel(decodePathParam(ctx.params[0]!, 'channel name', 'UNKNOWN_CHANNEL'));
  // Hub-owned channels (`$webhook.<name>`) have dead letters too; `$dlq.` and `$sys.` never do.
  const problem = channelNameProblem(ch, 256, ch.startsWith('$') && !ch.startsWith('$dlq.') && !ch.startsWith('$sys.'));
  if (problem) throw new SwitchboardError('UNKNOWN_CHANNEL', `no dead letters for "${ch}": ${problem}`);
  return ch;
}

function tally(results: readonly ReplayOutcome[]): Record<ReplayOutcome['status'], number> {
  const counts = { replayed: 0, already_replayed: 0, refused: 0, in_progress: 0, not_found: 0, not_a_dead_letter: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

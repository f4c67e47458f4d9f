import { SwitchboardError } from '@switchboard/protocol';
import { requireAdmin } from '../admin/admin-auth.js';
import type { FeatureHost, HttpRoute } from '../features/feature.js';
import type { RolloutAction, RolloutController } from './rollout-controller.js';
import { rolloutStatus } from './rollout-record.js';
import { parseRolloutSpec } from './rollout-spec.js';

/**
 * `POST /v1/admin/rollouts` (start), `GET /v1/admin/rollouts` (list), `GET /v1/admin/rollouts/{id}` (status),
 * `POST /v1/admin/rollouts/{id}/promote|pause|resume|abort` — admins only.
 */
export function rolloutRoutes(host: FeatureHost, rollouts: RolloutController): HttpRoute[] {
  const { config } = host;
  const status = (r: Parameters<typeof rolloutStatus>[0]) => rolloutStatus(r, rollouts.controllerName());
  return [
    {
      path: '/v1/admin/rollouts',
      methods: ['GET', 'POST'],
      hint: 'use GET to list the rollouts, POST to start one',
      async handle(ctx) {
        if (ctx.req.method === 'GET') {
          await requireAdmin(config, ctx, 'read the rollouts');
          ctx.json(200, { rollouts: (await rollouts.list()).map(status) });
          return;
        }
        const who = await requireAdmin(config, ctx, 'start a rollout');
        const spec = parseRolloutSpec((await ctx.body()).value);
        const r = await rollouts.create(spec, who.component);
        host.audit({
          action: 'rollout.start',
          outcome: 'ok',
          component: who.component,
          target: `${spec.channel} ${spec.group}`,
          details: { rollout: r.id, version: spec.version, steps: spec.steps },
        });
        ctx.json(201, status(r));
      },
    },
    {
      path: /^\/v1\/admin\/rollouts\/([0-9a-f]{1,64})$/,
      methods: ['GET'],
      hint: 'use GET to read a rollout',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the rollouts');
        ctx.json(200, status(await rollouts.get(ctx.params[0]!)));
      },
    },
    {
      path: /^\/v1\/admin\/rollouts\/([0-9a-f]{1,64})\/([a-z]+)$/,
      methods: ['POST'],
      hint: 'use POST to promote, pause, resume or abort a rollout',
      async handle(ctx) {
        const [id, verb] = ctx.params as [string, string];
        if (!['promote', 'pause', 'resume', 'abort'].includes(verb))
          throw new SwitchboardError('NOT_FOUND', `no rollout action "${verb}"; use promote, pause, resume or abort`);
        const who = await requireAdmin(config, ctx, `${verb} a rollout`);
        const r = await rollouts.act(id, verb as RolloutAction, who.component);
        host.audit({
          action: `rollout.${verb}`,
          outcome: 'ok',
          component: who.component,
          target: `${r.spec.channel} ${r.spec.group}`,
          details: { rollout: id, state: r.state, step: r.step + 1 },
        });
        ctx.json(200, status(r));
      },
    },
  ];
}

import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';
import { requireAdmin } from '../admin/admin-auth.js';
import type { FeatureHost, HttpRoute } from '../features/feature.js';
import { encodeEnvelope } from '../store/envelope-json.js';
import { webhookChannel, type OutboundWebhook } from './outbound/outbound-webhook.js';

/** `GET /v1/admin/webhooks`, `GET /v1/admin/webhooks/{name}`, `POST /v1/admin/webhooks/{name}/test` (admins only). */
export function webhookAdminRoutes(host: FeatureHost, hooks: ReadonlyMap<string, OutboundWebhook>, now: () => number): HttpRoute[] {
  const { config } = host;
  const find = (raw: string): OutboundWebhook => {
    const hook = hooks.get(raw);
    if (!hook) throw new SwitchboardError('NOT_FOUND', `no webhook "${raw}"; switchboard webhooks list shows the ones configured`);
    return hook;
  };
  return [
    {
      path: '/v1/admin/webhooks',
      methods: ['GET'],
      hint: 'use GET to list the outbound webhooks',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the webhooks');
        ctx.json(200, { webhooks: await Promise.all([...hooks.values()].map((h) => h.status())) });
      },
    },
    {
      path: /^\/v1\/admin\/webhooks\/([A-Za-z0-9_-]+)$/,
      methods: ['GET'],
      hint: 'use GET to read the status of a webhook',
      async handle(ctx) {
        await requireAdmin(config, ctx, 'read the webhooks');
        ctx.json(200, await find(ctx.params[0]!).status());
      },
    },
    {
      path: /^\/v1\/admin\/webhooks\/([A-Za-z0-9_-]+)\/test$/,
      methods: ['POST'],
      hint: 'use POST to send a signed webhook.test message',
      async handle(ctx) {
        const who = await requireAdmin(config, ctx, 'test a webhook');
        const hook = find(ctx.params[0]!);
        const id = randomUUID();
        const envelope = {
          id,
          ch: webhookChannel(hook.config.name),
          type: 'webhook.test',
          source: 'switchboard-hub',
          ts: new Date(now()).toISOString(),
          seq: 0,
          data: { webhook: hook.config.name, requested_by: who.component },
        };
        const r = await hook.test(encodeEnvelope(envelope), id);
        host.audit({
          action: 'webhook.test',
          outcome: r.ok ? 'ok' : 'failed',
          component: who.component,
          target: hook.config.name,
          details: { webhook_id: id, ...(r.status !== undefined ? { status: r.status } : {}) },
        });
        ctx.json(200, {
          webhook: hook.config.name,
          url: hook.config.url,
          webhook_id: id,
          ok: r.ok,
          ...(r.status !== undefined ? { status: r.status } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
          ...(r.body !== undefined ? { body: r.body } : {}),
          ms: Math.round(r.seconds * 1000),
        });
      },
    },
  ];
}

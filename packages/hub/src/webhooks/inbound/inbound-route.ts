import { SwitchboardError } from '@switchboard/protocol';
import type { InboundWebhookConfig } from '../../config/webhooks-config.js';
import type { FeatureHost, HttpRoute } from '../../features/feature.js';
import { verifyInbound } from './verify-signature.js';

/**
 * `POST /v1/hooks/{name}`: a provider's signed event, verified (a bad or missing signature or a stale timestamp →
 * 401, nothing stored), then published to the webhook's channel through the one publish path with the provider's
 * event id as `msg_id` (a retry of the same event → 200 with `"duplicate": true`; a contract refusal → 422 and the
 * dead-letter log, like any publish).
 */
export function inboundRoute(host: FeatureHost, hooks: readonly InboundWebhookConfig[], now: () => number): HttpRoute {
  const byName = new Map(hooks.map((h) => [h.name, h]));
  return {
    path: /^\/v1\/hooks\/([^/]+)$/,
    methods: ['POST'],
    hint: 'providers POST their signed events here',
    async handle(ctx) {
      const name = ctx.params[0]!;
      const hook = byName.get(name);
      if (!hook) throw new SwitchboardError('NOT_FOUND', `no inbound webhook "${name}"; declare it under inbound_webhooks: in switchboard.yaml`);
      const { value, text } = await ctx.body();
      const msgId = verifyInbound(hook, ctx.req.headers, text, value, now());
      const type = (value as Record<string, unknown> | null)?.[hook.typeField];
      if (typeof type !== 'string' || type === '') {
        throw new SwitchboardError(
          'BAD_FRAME',
          `inbound webhook "${name}": the body must be a JSON object whose "${hook.typeField}" names the event type (type_field)`,
        );
      }
      const r = await host.router.publish({ ch: hook.channel, type, data: value, dataText: text, msgId, source: `webhook:${name}` });
      ctx.json(200, { ch: hook.channel, seq: r.seq, msg_id: msgId, ...(r.duplicate ? { duplicate: true } : {}) });
    },
  };
}

import { createHash } from 'node:crypto';
import { evaluateFlag, FLAG_KEY_PATTERN, type EvaluationContext, type FlagDefinition, type Resolution } from '@switchboard/flags';
import type { HttpContext, HttpRoute } from '../features/feature.js';
import { decodePathParam } from '../transport/http-io.js';
import type { FlagDocuments } from './flag-documents.js';
import { OFREP_EVENTS_PATH } from './ofrep-events.js';

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP 0.3): `POST /ofrep/v1/evaluate/flags/{key}` and the bulk
 * `POST /ofrep/v1/evaluate/flags`, with `{"context": {...}}` bodies, evaluated from the `flags/<key>` documents.
 * A flag that is disabled, or has no default variant to give, answers without a value (the caller's code default).
 */
export function ofrepRoutes(flags: FlagDocuments, now: () => number): HttpRoute[] {
  return [
    {
      path: /^\/ofrep\/v1\/evaluate\/flags\/(.+)$/,
      methods: ['POST'],
      hint: 'use POST with {"context": {...}} to evaluate a flag',
      async handle(ctx) {
        await ctx.identify();
        const key = decodePathParam(ctx.params[0]!, 'flag key');
        const context = await contextOf(ctx, key);
        if (context === undefined) return;
        if (!FLAG_KEY_PATTERN.test(key)) {
          ctx.json(404, { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `"${key}" is not a flag key` });
          return;
        }
        const flag = await flags.flag(key);
        if (!flag) {
          ctx.json(404, { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" does not exist; switchboard flags list shows the flags` });
          return;
        }
        const answer = ofrepAnswer(key, flag, context, now());
        ctx.json('errorCode' in answer ? 400 : 200, answer);
      },
    },
    {
      path: '/ofrep/v1/evaluate/flags',
      methods: ['POST'],
      hint: 'use POST with {"context": {...}} to evaluate every flag',
      async handle(ctx) {
        await ctx.identify();
        const context = await contextOf(ctx, undefined);
        if (context === undefined) return;
        const all = await flags.all();
        const at = now();
        const versions = [...all].map(([k, f]) => `${k}:${f.version}`).join(',');
        const etag = `"${createHash('sha256').update(versions).update('\u0000').update(JSON.stringify(context)).digest('base64url').slice(0, 27)}"`;
        if (ctx.req.headers['if-none-match'] === etag) {
          ctx.res.writeHead(304, { etag }).end();
          return;
        }
        ctx.res.setHeader('etag', etag);
        ctx.json(200, {
          flags: [...all].map(([key, { flag }]) => ofrepAnswer(key, flag, context, at)),
          eventStreams: [{ type: 'sse', endpoint: { requestUri: OFREP_EVENTS_PATH } }],
        });
      },
    },
  ];
}

/** The request's `context`, or undefined after answering 400 INVALID_CONTEXT. */
async function contextOf(ctx: HttpContext, key: string | undefined): Promise<EvaluationContext | undefined> {
  const { value } = await ctx.body().catch(() => ({ value: {} as unknown }));
  const body = value === undefined || value === null ? {} : value;
  const context = (body as { context?: unknown }).context ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || typeof context !== 'object' || context === null || Array.isArray(context)) {
    ctx.json(400, {
      ...(key !== undefined ? { key } : {}),
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'the body must be {"context": {"targetingKey": "…", …}}',
    });
    return undefined;
  }
  return context as EvaluationContext;
}

/** One flag's OFREP answer: success (`value` absent: use the code default) or failure. */
export function ofrepAnswer(key: string, flag: FlagDefinition, context: EvaluationContext, now: number): Record<string, unknown> {
  const r: Resolution<unknown> = evaluateFlag(key, flag, undefined, NO_VALUE as never, context, { now });
  if (r.errorCode !== undefined) return { key, errorCode: r.errorCode, errorDetails: r.errorMessage };
  return {
    key,
    reason: r.reason,
    ...(r.value !== NO_VALUE ? { value: r.value } : {}),
    ...(r.variant !== undefined ? { variant: r.variant } : {}),
    metadata: r.flagMetadata ?? {},
  };
}

const NO_VALUE = Symbol('code default');

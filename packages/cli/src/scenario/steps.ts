import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';
import { inboxKey, wallNow, type RunContext } from './context.js';
import type { ExpectStep, HttpStep, PublishStep, RequestStep, StepSpec } from './flow-types.js';
import { allPass, matchPartial, show, type FieldCheck } from './match.js';
import { fillTemplate, type TemplateContext } from './template.js';
import { awaitStep, startStep } from './program-steps.js';
import type { Repetition } from './repetition.js';

export type { Repetition };

/** Contract checks kept per step: the first repetition and the first few failures. */
const MAX_CHECKS_PER_STEP = 4;

/**
 * Runs repetition `i` of a step. The latency sample is: for `publish`, the time to the hub's answer; for
 * `expect`, the time from the publish of the matched message (when the flow published it) to its arrival,
 * otherwise the time the step waited; for `request`, the round trip; for `http`, the time to the full response;
 * for `start`, the time until the program was ready; for `await`, the time waited for it to exit.
 */
export function runRepetition(ctx: RunContext, step: StepSpec, i: number): Promise<Repetition> {
  const t: TemplateContext = { i, now: wallNow };
  switch (step.kind) {
    case 'publish':
      return publish(ctx, step, t);
    case 'expect':
      return expect(ctx, step, t);
    case 'request':
      return request(ctx, step, t);
    case 'http':
      return http(ctx, step, t);
    case 'start':
      return startStep(ctx, step);
    case 'await':
      return awaitStep(ctx, step);
    case 'wait':
      return new Promise((resolve) => setTimeout(() => resolve({ pass: true, actual: `waited ${step.ms} ms` }), step.ms));
  }
}

function keepCheck(ctx: RunContext, step: StepSpec, i: number, pass: boolean, subject: string, rows: FieldCheck[]): void {
  if (rows.length === 0) return;
  const already = ctx.checks.filter((c) => c.step === step.id).length;
  if (already >= MAX_CHECKS_PER_STEP || (i > 0 && pass)) return;
  ctx.checks.push({ step: step.id, subject: i > 0 ? `${subject} (repetition ${i + 1})` : subject, rows, pass: pass && rows.every((r) => r.pass) });
}

function errorText(err: unknown): { code?: string; text: string; details?: unknown } {
  if (err instanceof SwitchboardError) return { code: err.code, text: `${err.code}: ${err.message}`, details: err.details };
  return { text: err instanceof Error ? err.message : String(err) };
}

async function publish(ctx: RunContext, step: PublishStep, t: TemplateContext): Promise<Repetition> {
  const client = ctx.clients.get(step.component)!;
  const data = fillTemplate(step.data, t);
  const msgId = step.msgId !== undefined ? String(fillTemplate(step.msgId, t)) : randomUUID();
  const point = { from: step.component, to: 'hub', channel: step.channel, protocol: 'ws' as const };
  let senders = ctx.publishers.get(step.channel);
  if (!senders) ctx.publishers.set(step.channel, (senders = new Set()));
  senders.add(step.component);
  const subject = `${step.channel}/${step.type} published by ${step.component}`;
  const t0 = performance.now();
  ctx.sentAt.set(msgId, t0);
  try {
    const r = await client.publish(step.channel, step.type, data, { msgId, ...(step.meta ? { meta: step.meta } : {}) });
    const ms = performance.now() - t0;
    const accepted = `accepted, seq ${r.seq}${r.duplicate ? ' (duplicate)' : ''}`;
    if (step.expectError) {
      ctx.traffic.count(point, 'errors', step.id);
      const actual = `${accepted}, but ${step.expectError} was expected`;
      keepCheck(ctx, step, t.i, false, subject, [{ field: '(message)', expected: `refused with ${step.expectError}`, actual: accepted, pass: false }]);
      return { pass: false, actual, sampleMs: ms };
    }
    ctx.traffic.count(point, 'messages', step.id);
    const contract = ctx.contracts.channel(step.channel) ? `valid ${step.channel}/${step.type}, accepted` : 'accepted (no contract for the channel)';
    keepCheck(ctx, step, t.i, true, subject, [{ field: '(message)', expected: contract, actual: accepted, pass: true }]);
    return { pass: true, actual: accepted, sampleMs: ms };
  } catch (err) {
    const ms = performance.now() - t0;
    ctx.sentAt.delete(msgId);
    const e = errorText(err);
    const expected = step.expectError !== undefined && e.code === step.expectError;
    ctx.traffic.count(point, expected ? 'refused' : 'errors', step.id);
    const rows: FieldCheck[] = [
      {
        field: '(message)',
        expected: step.expectError ? `refused with ${step.expectError}` : 'accepted',
        actual: `refused with ${e.code ?? 'an error'}`,
        pass: expected,
      },
    ];
    if (e.code === 'CONTRACT_VIOLATION' && Array.isArray(e.details)) {
      for (const d of e.details as { path?: string; rule?: string; expected?: unknown; message?: string }[]) {
        rows.push({ field: d.path || '(payload)', expected: `${d.rule ?? 'rule'}: ${show(d.expected)}`, actual: d.message ?? 'refused', pass: expected });
      }
    }
    keepCheck(ctx, step, t.i, expected, subject, rows);
    return { pass: expected, actual: expected ? `refused as expected (${e.text})` : `refused: ${e.text}`, sampleMs: ms };
  }
}

async function expect(ctx: RunContext, step: ExpectStep, t: TemplateContext): Promise<Repetition> {
  const inbox = ctx.inboxes.get(inboxKey(step))!;
  const wanted = step.data === undefined ? undefined : fillTemplate(step.data, t);
  const wantedMeta = step.meta === undefined ? undefined : fillTemplate(step.meta, t);
  const rowsFor = (e: { type: string; source: string; data: unknown; meta?: unknown }): FieldCheck[] => [
    ...(step.type !== undefined ? [{ field: '(type)', expected: step.type, actual: e.type, pass: e.type === step.type }] : []),
    ...(step.source !== undefined ? [{ field: '(source)', expected: step.source, actual: e.source, pass: e.source === step.source }] : []),
    ...(wanted !== undefined ? matchPartial(wanted, e.data) : []),
    ...(wantedMeta !== undefined ? matchPartial(wantedMeta, e.meta, '(meta)') : []),
  ];
  const t0 = performance.now();
  const got = await inbox.take((e) => allPass(rowsFor(e)), step.withinMs);
  const subject = `${step.channel} received by ${step.component}${step.group ? ` (group ${step.group})` : ''}`;
  if (!got) {
    const others = inbox.untaken();
    const from = [...(ctx.publishers.get(step.channel) ?? [])].join(', ') || (step.source ?? '(any)');
    ctx.traffic.count({ from, to: step.component, channel: step.channel, protocol: 'ws' }, 'errors', step.id);
    let actual = `no matching message on ${step.channel} within ${step.withinMs} ms`;
    if (others.length > 0) {
      const last = others[others.length - 1]!.envelope;
      const rows = rowsFor(last);
      const bad = rows.filter((r) => !r.pass).map((r) => `${r.field || '(data)'} expected ${r.expected}, got ${r.actual}`);
      actual += `; ${others.length} other message(s) arrived, the last one differs: ${bad.join('; ')}`;
      keepCheck(ctx, step, t.i, false, `${subject}, seq ${last.seq} (closest)`, rows);
    } else {
      actual += '; nothing arrived';
      keepCheck(ctx, step, t.i, false, subject, [
        { field: '(message)', expected: wanted !== undefined ? show(wanted) : 'a message', actual: 'nothing arrived', pass: false },
      ]);
    }
    // No message, no latency: the wait is the step's `within_ms`, not a delivery time, and stays out of the samples.
    return { pass: false, actual };
  }
  const e = got.envelope;
  const sent = ctx.sentAt.get(e.id) ?? ctx.httpSentAt.get(`${e.ch}#${e.seq}`);
  const sampleMs = sent !== undefined ? got.arrivedAt - sent : Math.max(0, got.arrivedAt - t0);
  ctx.traffic.countStep(step.id, 'messages');
  const rows = rowsFor(e);
  const contract = ctx.contracts.channel(e.ch) ? ctx.contracts.validate(e.ch, e.type, e.data) : undefined;
  if (ctx.contracts.channel(e.ch))
    rows.push({ field: '(contract)', expected: `valid ${e.ch}/${e.type}`, actual: contract ? contract.message : 'valid', pass: !contract });
  const pass = !contract;
  keepCheck(ctx, step, t.i, pass, `${subject}, seq ${e.seq} from ${e.source}`, rows);
  return { pass, actual: `${e.type} seq ${e.seq} from ${e.source}${contract ? `, but it breaks the contract: ${contract.message}` : ''}`, sampleMs };
}

async function request(ctx: RunContext, step: RequestStep, t: TemplateContext): Promise<Repetition> {
  const client = ctx.clients.get(step.component)!;
  const point = { from: step.component, to: step.to, channel: `req ${step.type}`, protocol: 'ws' as const };
  const subject = `reply of ${step.to} to ${step.type}`;
  const t0 = performance.now();
  try {
    const reply = await client.request(step.to, step.type, fillTemplate(step.data, t), { timeoutMs: step.timeoutMs });
    const ms = performance.now() - t0;
    if (step.expectError) {
      ctx.traffic.count(point, 'errors', step.id);
      keepCheck(ctx, step, t.i, false, subject, [{ field: '(reply)', expected: `error ${step.expectError}`, actual: show(reply), pass: false }]);
      return { pass: false, actual: `replied ${show(reply)}, but ${step.expectError} was expected`, sampleMs: ms };
    }
    const rows = step.expectReply !== undefined ? matchPartial(fillTemplate(step.expectReply, t), reply) : [];
    const pass = allPass(rows);
    ctx.traffic.count(point, pass ? 'messages' : 'errors', step.id);
    keepCheck(ctx, step, t.i, pass, subject, rows);
    const bad = rows.filter((r) => !r.pass).map((r) => `${r.field || '(reply)'} expected ${r.expected}, got ${r.actual}`);
    return { pass, actual: pass ? `replied ${show(reply)}` : `replied ${show(reply)}: ${bad.join('; ')}`, sampleMs: ms };
  } catch (err) {
    const ms = performance.now() - t0;
    const e = errorText(err);
    const expected = step.expectError !== undefined && e.code === step.expectError;
    ctx.traffic.count(point, expected ? 'refused' : 'errors', step.id);
    keepCheck(ctx, step, t.i, expected, subject, [
      { field: '(reply)', expected: step.expectError ? `error ${step.expectError}` : 'a reply', actual: `error ${e.code ?? e.text}`, pass: expected },
    ]);
    return { pass: expected, actual: expected ? `failed as expected (${e.text})` : `failed: ${e.text}`, sampleMs: ms };
  }
}

async function http(ctx: RunContext, step: HttpStep, t: TemplateContext): Promise<Repetition> {
  const path = String(fillTemplate(step.path, t));
  const headers: Record<string, string> = {};
  const from = step.component ?? 'http';
  if (step.component !== undefined) {
    const token = ctx.tokens.get(step.component);
    if (token) headers.authorization = `Bearer ${token}`;
    else headers['x-switchboard-component'] = step.component;
  }
  let body: string | undefined;
  if (step.body !== undefined) {
    const filled = fillTemplate(step.body, t);
    body = typeof filled === 'string' ? filled : JSON.stringify(filled);
    headers['content-type'] = 'application/json';
  }
  for (const [k, v] of Object.entries(step.headers)) headers[k.toLowerCase()] = String(fillTemplate(v, t));
  const publishTo = step.method === 'POST' ? /^\/v1\/channels\/([^/?]+)\/messages(?:\?|$)/.exec(path) : null;
  let channel = `${step.method} ${path.split('?')[0]}`;
  if (publishTo) {
    try {
      channel = decodeURIComponent(publishTo[1]!);
      ctx.httpPublishers.add(`${from}|${channel}`);
    } catch {
      /* not a channel name: keep the path */
    }
  }
  const point = { from, to: 'hub', channel, protocol: 'http' as const };
  const subject = `${step.method} ${path}`;
  const t0 = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await fetch(ctx.hub.http + path, {
      method: step.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    ctx.traffic.count(point, 'errors', step.id);
    return { pass: false, actual: `the call failed: ${(err as Error).message}`, sampleMs: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    /* not JSON: compare as text */
  }
  const rows: FieldCheck[] = [
    step.expectStatus !== undefined
      ? { field: '(status)', expected: String(step.expectStatus), actual: String(status), pass: status === step.expectStatus }
      : { field: '(status)', expected: '2xx', actual: String(status), pass: status >= 200 && status < 300 },
    ...(step.expectBody !== undefined ? matchPartial(fillTemplate(step.expectBody, t), parsed) : []),
  ];
  const pass = allPass(rows);
  const refusal = pass && status >= 400;
  const seq = (parsed as { seq?: unknown } | undefined)?.seq;
  if (publishTo && status === 201 && typeof seq === 'number') ctx.httpSentAt.set(`${channel}#${seq}`, t0);
  ctx.traffic.count(point, !pass ? 'errors' : refusal ? 'refused' : 'messages', step.id);
  keepCheck(ctx, step, t.i, pass, subject, rows);
  const bad = rows.filter((r) => !r.pass).map((r) => `${r.field} expected ${r.expected}, got ${r.actual}`);
  const summary = `HTTP ${status} ${show(parsed, 120)}`;
  return { pass, actual: pass ? summary : `${summary}: ${bad.join('; ')}`, sampleMs: ms };
}

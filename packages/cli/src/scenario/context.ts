import { connect, type SwitchboardClient } from '@switchboard/client';
import type { ContractSet } from '@switchboard/contracts';
import { SwitchboardError } from '@switchboard/protocol';
import type { ExpectStep, ProcessComponent, SdkComponent } from './flow-types.js';
import type { RunningProcess } from './processes.js';
import type { HubTarget } from './hub-target.js';
import { Inbox } from './inbox.js';
import { fillTemplate } from './template.js';
import { Traffic } from './traffic.js';
import type { ContractCheck } from './results.js';

/** Wall clock in milliseconds, fractional. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** What the steps of one run share: the hub, the connected components, what they received, what flowed. */
export interface RunContext {
  hub: HubTarget;
  contracts: ContractSet;
  clients: Map<string, SwitchboardClient>;
  /** Tokens of the components that have one (for HTTP calls made as them). */
  tokens: Map<string, string>;
  inboxes: Map<string, Inbox>;
  traffic: Traffic;
  /** `performance.now()` at which each message the runner published over the socket was sent, by msg_id. */
  sentAt: Map<string, number>;
  /** `performance.now()` at which each message the runner published over HTTP was sent, by `channel#seq`. */
  httpSentAt: Map<string, number>;
  /** `source|channel` of the messages published over HTTP by the flow. */
  httpPublishers: Set<string>;
  /** Components that published on a channel, by channel (to name the sender of a missed `expect`). */
  publishers: Map<string, Set<string>>;
  checks: ContractCheck[];
  /** The program components, by name. */
  programSpecs: Map<string, ProcessComponent>;
  /** The programs started so far, by name. */
  programs: Map<string, RunningProcess>;
  /** Exit codes the flow's `await` steps expect, by program. */
  awaitedExit: Map<string, number>;
  /** Called once a program started by a step is ready. */
  onProgramStarted(name: string): void;
}

/** The inbox key of an `expect` step's subscription. */
export function inboxKey(s: Pick<ExpectStep, 'component' | 'channel' | 'group' | 'from'>): string {
  return JSON.stringify([s.component, s.channel, s.group ?? null, s.from]);
}

/** Connects one SDK component and installs its replies. */
export async function connectComponent(ctx: RunContext, spec: SdkComponent): Promise<void> {
  const client = await connect({
    url: ctx.hub.ws,
    component: spec.name,
    ...(spec.token !== undefined ? { token: spec.token } : {}),
    reconnect: false,
    connectTimeoutMs: 10_000,
  });
  ctx.clients.set(spec.name, client);
  if (spec.token !== undefined) ctx.tokens.set(spec.name, spec.token);
  if (Object.keys(spec.replies).length === 0) return;
  let n = 0;
  client.onRequest((req) => {
    const reply = spec.replies[req.type];
    if (!reply) {
      throw new SwitchboardError(
        'NOT_FOUND',
        `component "${spec.name}" has no reply for "${req.type}" in the flow; add it under its replies (${Object.keys(spec.replies).join(', ')} are there)`,
      );
    }
    if (reply.kind === 'echo') return req.data ?? null;
    if (reply.kind === 'error') throw new SwitchboardError(reply.code, reply.message);
    return fillTemplate(reply.data, { i: n++, now: wallNow });
  });
}

/** Subscribes the component of an `expect` step (once per component, channel, group and start), filling its inbox. */
export async function subscribeFor(ctx: RunContext, step: ExpectStep): Promise<void> {
  const key = inboxKey(step);
  if (ctx.inboxes.has(key)) return;
  const inbox = new Inbox();
  ctx.inboxes.set(key, inbox);
  const client = ctx.clients.get(step.component);
  if (!client) throw new Error(`component "${step.component}" is not connected`);
  await client.subscribe(step.channel, {
    from: step.from,
    ...(step.group !== undefined ? { group: step.group } : {}),
    onMessage: (m) => {
      const arrivedAt = performance.now();
      const e = m.envelope;
      inbox.push(e, arrivedAt);
      const protocol = ctx.sentAt.has(e.id) ? 'ws' : ctx.httpPublishers.has(`${e.source}|${e.ch}`) ? 'http' : 'ws';
      ctx.traffic.count({ from: e.source, to: step.component, channel: e.ch, protocol }, 'messages');
    },
  });
}

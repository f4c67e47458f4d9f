import type { StepSpec, TargetSpec } from './flow-types.js';
import { show } from './match.js';

/** What a step does, in words, for the progress lines and the report. */
export function describeAction(s: StepSpec): string {
  const times = s.repeat > 1 ? ` ×${s.repeat}` : '';
  switch (s.kind) {
    case 'publish':
      return `${s.component} publishes ${s.type} on ${s.channel}${times}`;
    case 'expect':
      return `${s.component} receives on ${s.channel}${s.group ? ` (group ${s.group})` : ''}${times}`;
    case 'request':
      return `${s.component} asks ${s.to}: ${s.type}${times}`;
    case 'http':
      return `${s.method} ${s.path}${s.component ? ` as ${s.component}` : ''}${times}`;
    case 'wait':
      return `wait ${s.ms} ms${times}`;
    case 'start':
      return `start ${s.program}`;
    case 'await':
      return `wait for ${s.program} to exit`;
  }
}

/** What a step expects, in words. */
export function describeExpected(s: StepSpec): string {
  switch (s.kind) {
    case 'publish':
      return s.expectError ? `refused with ${s.expectError}` : 'accepted by the hub';
    case 'expect': {
      const parts = [
        s.type ? `type ${s.type}` : '',
        s.source ? `from ${s.source}` : '',
        s.data !== undefined ? `data ⊇ ${show(s.data)}` : '',
        s.meta !== undefined ? `meta ⊇ ${show(s.meta)}` : '',
      ].filter(Boolean);
      return `${parts.length ? parts.join(', ') : 'a message'} within ${s.withinMs} ms`;
    }
    case 'request':
      return s.expectError ? `error ${s.expectError}` : s.expectReply !== undefined ? `reply ⊇ ${show(s.expectReply)}` : 'a reply';
    case 'http':
      return `status ${s.expectStatus ?? '2xx'}${s.expectBody !== undefined ? `, body ⊇ ${show(s.expectBody)}` : ''}`;
    case 'wait':
      return '—';
    case 'start':
      return 'ready';
    case 'await':
      return `exit ${s.exitCode} within ${s.timeoutMs} ms${s.summary !== undefined ? `, summary ⊇ ${show(s.summary)}` : ''}`;
  }
}

/** `tick-roundtrip p95`, `errors on market.ticks` */
export function describeTarget(t: TargetSpec): { metric: string; target: string } {
  if (t.kind === 'latency') return { metric: `${t.step} ${t.metric}`, target: `< ${t.belowMs} ms` };
  if (t.kind === 'program') {
    const bounds = [t.below !== undefined ? `< ${t.below}` : '', t.atLeast !== undefined ? `≥ ${t.atLeast}` : '', t.atMost !== undefined ? `≤ ${t.atMost}` : '']
      .filter(Boolean)
      .join(' and ');
    return { metric: `${t.program} ${t.value}`, target: bounds };
  }
  const scope = t.step ? ` of ${t.step}` : t.channel ? ` on ${t.channel}` : '';
  const bounds = [t.atLeast !== undefined ? `≥ ${t.atLeast}` : '', t.atMost !== undefined ? `≤ ${t.atMost}` : ''].filter(Boolean).join(' and ');
  return { metric: `${t.metric}${scope}`, target: bounds };
}

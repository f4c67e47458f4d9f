/** The scenarios of the quick and full forms, and the targets each runs against. */
import type { Scenario } from './lib/driver.js';
import { switchboardDurable, switchboardEphemeral } from './targets/switchboard.js';
import { socketIo, wsRelay } from './targets/node-peers.js';
import { natsCore, natsJetStream } from './targets/nats.js';
import type { Target } from './targets/types.js';

export const TARGETS: Target[] = [switchboardEphemeral, switchboardDurable, wsRelay, socketIo, natsCore, natsJetStream];

const LIVE = ['switchboard', 'switchboard-durable', 'ws', 'socketio', 'nats'];

export const SCENARIOS: Scenario[] = [
  { id: '1to1-5k', title: '1→1 at 5,000 msg/s', kind: 'rate', subscribers: 1, rate: 5000, targets: LIVE, compare: 'latency' },
  { id: '1to100-1k', title: '1→100 at 1,000 msg/s (100,000 deliveries/s)', kind: 'rate', subscribers: 100, rate: 1000, targets: LIVE, compare: 'latency' },
  { id: '1to1-max', title: '1→1 max (closed loop, window 100)', kind: 'max', subscribers: 1, window: 100, targets: LIVE, compare: 'throughput' },
  { id: 'acked-max', title: 'acked publishes, max (closed loop, window 100; Switchboard durable+validated vs JetStream file)', kind: 'acked', subscribers: 0, window: 100, targets: ['switchboard-durable', 'jetstream'], compare: 'throughput' },
];

export interface Form { name: 'quick' | 'full'; repeats: number; warmupMs: number; durationMs: number; drainMs: number }

export const FORMS: Record<'quick' | 'full', Form> = {
  quick: { name: 'quick', repeats: 1, warmupMs: 500, durationMs: 3000, drainMs: 1000 },
  full: { name: 'full', repeats: 3, warmupMs: 1000, durationMs: 7000, drainMs: 2000 },
};

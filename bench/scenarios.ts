/** The scenarios of the quick and full forms, and the targets each runs against. */
import type { Scenario } from './lib/driver.js';
import { switchboardDurable, switchboardEphemeral, switchboardMarketData } from './targets/switchboard.js';
import { socketIo, wsRelay } from './targets/node-peers.js';
import { natsCore, natsJetStream } from './targets/nats.js';
import type { Target } from './targets/types.js';

export const TARGETS: Target[] = [switchboardEphemeral, switchboardDurable, wsRelay, socketIo, natsCore, natsJetStream, switchboardMarketData];

const LIVE = ['switchboard', 'switchboard-durable', 'ws', 'socketio', 'nats'];
/** Acked publishes: the durable, validated channel is the one compared with JetStream; ephemeral shows what durability costs. */
const ACKED = ['switchboard-durable', 'switchboard', 'jetstream'];
/** Shared documents: the raw ws relay has none. Documents do not depend on a channel's mode: one Switchboard row. */
const DOC = ['switchboard', 'socketio', 'jetstream'];

export const SCENARIOS: Scenario[] = [
  { id: '1to1-5k', title: '1→1 at 5,000 msg/s', kind: 'rate', subscribers: 1, rate: 5000, targets: LIVE, compare: 'latency' },
  { id: '1to100-1k', title: '1→100 at 1,000 msg/s (100,000 deliveries/s)', kind: 'rate', subscribers: 100, rate: 1000, targets: LIVE, compare: 'latency' },
  { id: '1to1-max', title: '1→1 max (closed loop, window 100)', kind: 'max', subscribers: 1, window: 100, targets: LIVE, compare: 'throughput' },
  {
    id: 'acked-max',
    title: 'acked publishes, max (closed loop, window 100; Switchboard durable+validated vs JetStream file)',
    kind: 'acked',
    subscribers: 0,
    window: 100,
    targets: ACKED,
    compare: 'throughput',
  },
  { id: '1to100-200', title: '1→100 at 200 msg/s (20,000 deliveries/s)', kind: 'rate', subscribers: 100, rate: 200, targets: LIVE, compare: 'latency' },
  { id: '1to1000-100', title: '1→1000 at 100 msg/s (100,000 deliveries/s)', kind: 'rate', subscribers: 1000, rate: 100, targets: LIVE, compare: 'latency' },
  {
    id: 'acked-5k',
    title: 'acked publishes at 5,000 msg/s (latency to the ack; Switchboard durable+validated vs JetStream file)',
    kind: 'acked-rate',
    subscribers: 0,
    rate: 5000,
    targets: ACKED,
    compare: 'latency',
  },
  {
    id: 'doc-250',
    title: 'shared document, 250 writers: every connection subscribed and voting with `inc`, 50 votes/s in all = 12,500 changes/s',
    kind: 'doc',
    subscribers: 250,
    rate: 50,
    questions: 20,
    minWarmupMs: 1000,
    targets: DOC,
    compare: 'latency',
    labels: { switchboard: 'Switchboard (document in SQLite)', socketio: 'Socket.IO 4 (document in memory)', jetstream: 'NATS JetStream KV (CAS + watch)' },
  },
  {
    id: 'idle-10k',
    title: 'idle connections (server RSS per connection after connect + hello; 10,000 in the full form, 1,500 in the quick form)',
    kind: 'idle',
    subscribers: 0,
    connections: 10_000,
    repeats: 1,
    targets: ['switchboard', 'ws', 'socketio', 'nats'],
    compare: 'memory',
  },
  // The Python bridge and the Java engine of examples/market-data, through a fresh hub: the plan's latency target.
  {
    id: 'polyglot-500',
    title: 'Python bridge → hub → Java engine at 500 ticks/s (the market-data example: durable, validated, consumer group, manual ack; p99 < 25 ms)',
    kind: 'polyglot',
    subscribers: 1,
    rate: 500,
    ticks: 2000,
    invalidEvery: 50,
    targets: ['switchboard-market-data'],
    compare: 'latency',
  },
];

export interface Form {
  name: 'quick' | 'full';
  repeats: number;
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  /** idle connections held in the `idle` scenario (at most the scenario's own count) */
  idleConnections: number;
}

/** Sized so that the quick form stays within 100 s and the full form within 10 min on a 2-core machine. */
export const FORMS: Record<'quick' | 'full', Form> = {
  quick: { name: 'quick', repeats: 1, warmupMs: 300, durationMs: 1000, drainMs: 300, idleConnections: 1_500 },
  full: { name: 'full', repeats: 3, warmupMs: 800, durationMs: 3500, drainMs: 1000, idleConnections: 10_000 },
};

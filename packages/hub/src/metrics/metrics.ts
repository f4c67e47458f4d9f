import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createDurationHistogram, type DurationHistogram } from './duration-histogram.js';

/** The hub's Prometheus metrics, on a registry of its own (never the process-global one). */
export interface HubMetrics {
  readonly registry: Registry;
  readonly published: Counter;
  readonly delivered: Counter;
  readonly redelivered: Counter;
  readonly rejected: Counter<'code'>;
  readonly deadLettered: Counter;
  readonly droppedEphemeral: Counter;
  readonly connections: Gauge;
  readonly subscriptions: Gauge;
  /** Labelled by `transport` (`ws`, `http`). */
  readonly publishSeconds: DurationHistogram;
}

/** Creates the metrics on a new registry. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'switchboard_process_' });
  const reg = [registry];
  return {
    registry,
    published: new Counter({
      name: 'switchboard_messages_published_total',
      help: 'Messages accepted (stored or, on ephemeral channels, handed out).',
      registers: reg,
    }),
    delivered: new Counter({ name: 'switchboard_messages_delivered_total', help: 'msg frames sent to subscribers, redeliveries included.', registers: reg }),
    redelivered: new Counter({ name: 'switchboard_messages_redelivered_total', help: 'msg frames that were redeliveries.', registers: reg }),
    rejected: new Counter({
      name: 'switchboard_messages_rejected_total',
      help: 'Publishes refused, by protocol error code.',
      labelNames: ['code'],
      registers: reg,
    }),
    deadLettered: new Counter({ name: 'switchboard_dead_letters_total', help: 'Messages written to a $dlq.* log.', registers: reg }),
    droppedEphemeral: new Counter({
      name: 'switchboard_ephemeral_dropped_total',
      help: 'Ephemeral messages not sent to a subscriber whose send buffer was full.',
      registers: reg,
    }),
    connections: new Gauge({ name: 'switchboard_connections', help: 'Open WebSocket connections.', registers: reg }),
    subscriptions: new Gauge({ name: 'switchboard_subscriptions', help: 'Active subscriptions.', registers: reg }),
    publishSeconds: createDurationHistogram({
      name: 'switchboard_publish_duration_seconds',
      help: 'Time from receiving a publish to its ok (validation and durable write included).',
      labelName: 'transport',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registry,
    }),
  };
}

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createDurationHistogram, type DurationHistogram } from './duration-histogram.js';
import { renderRegistry, streamRegistry } from './exposition.js';
import { createLabelledCounter, type LabelledCounter } from './labelled-counter.js';
import { createScrapeGauge, type ScrapeGauge } from './scrape-gauge.js';
import { LIMIT_NAMES, type LimitName } from './limit-names.js';

/**
 * The hub's Prometheus metrics, on a registry of their own (never the process-global one). The names are a contract
 * (dashboards and alert rules rely on them): docs/reference/metrics.md lists each one, and a test keeps it in step.
 */
export interface HubMetrics {
  readonly registry: Registry;
  /** Labelled by `channel`; fed by the metrics feature (`metrics-feature.ts`). */
  readonly published: LabelledCounter;
  /** Labelled by `channel`; fed by the metrics feature. */
  readonly delivered: LabelledCounter;
  readonly redelivered: Counter;
  readonly rejected: Counter<'code'>;
  /** Labelled by `limit`: frames, requests, publishes and hellos refused by a size, rate or count limit; fed through {@link HubMetrics.limitRefused}. */
  readonly limitRefusals: Counter<'limit'>;
  /** Counts one refusal by `limit` (every series exists from the start, at 0, so that a rate sees the first refusal). */
  limitRefused(limit: LimitName): void;
  /** Labelled by `channel` and `type`; fed by the metrics feature. */
  readonly violations: LabelledCounter;
  readonly deadLettered: Counter;
  readonly droppedEphemeral: Counter;
  readonly connections: Gauge;
  readonly subscriptions: Gauge;
  /** Labelled by `transport` (`ws`, `http`). */
  readonly publishSeconds: DurationHistogram;
  /** Labelled by `channel`: publish accepted → `msg` frame written. */
  readonly deliveryLatency: DurationHistogram;
  /** No label: one `Store.append` (a publish or a dead letter), until it resolved. */
  readonly storeAppendSeconds: DurationHistogram;
  /** Worked out at scrape time: entries in `$dlq.<channel>`. */
  readonly dlqDepth: ScrapeGauge;
  /** Worked out at scrape time: head − ack floor of each consumer group with members on this node. */
  readonly consumerLag: ScrapeGauge;
  /** Worked out at scrape time: deliveries of each group not yet acknowledged. */
  readonly consumerPending: ScrapeGauge;
  /** Labelled by `webhook` and `outcome`: attempts of outbound webhooks, fed by the webhooks feature. */
  readonly webhookDeliveries: LabelledCounter;
  /** Labelled by `webhook`: the time of one attempt (request sent → answer read, or the error). */
  readonly webhookAttemptSeconds: DurationHistogram;
  /** Worked out at scrape time: each webhook's circuit breaker (0 closed, 1 open, 2 half-open). */
  readonly webhookBreakerState: ScrapeGauge;
  /** Worked out at scrape time: messages of each webhook's channels not yet answered 2xx. */
  readonly webhookLag: ScrapeGauge;
  /** The whole registry in the Prometheus text format, without stalling the hub (see {@link HubMetrics.stream}). */
  render(): Promise<string>;
  /** The same text handed to `write` in pieces of about 64 KiB, as `GET /metrics` sends it. */
  stream(write: (text: string) => void): Promise<void>;
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const APPEND_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Creates the metrics on a new registry. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'switchboard_process_' });
  const reg = [registry];
  const limitRefusals = new Counter({
    name: 'switchboard_limit_refusals_total',
    help: 'Frames, HTTP requests, publishes and hellos refused by a size, rate or count limit, by limit name.',
    labelNames: ['limit'],
    registers: reg,
  });
  for (const limit of LIMIT_NAMES) limitRefusals.inc({ limit }, 0);
  return {
    registry,
    published: createLabelledCounter({
      name: 'switchboard_messages_published_total',
      help: 'Messages accepted (stored or, on ephemeral channels, handed out), by channel.',
      labelNames: ['channel'],
      registry,
    }),
    delivered: createLabelledCounter({
      name: 'switchboard_messages_delivered_total',
      help: 'msg frames sent to subscribers, redeliveries included, by channel.',
      labelNames: ['channel'],
      registry,
    }),
    redelivered: new Counter({ name: 'switchboard_messages_redelivered_total', help: 'msg frames that were redeliveries.', registers: reg }),
    rejected: new Counter({
      name: 'switchboard_messages_rejected_total',
      help: 'Publishes refused, by protocol error code.',
      labelNames: ['code'],
      registers: reg,
    }),
    limitRefusals,
    limitRefused: (limit) => limitRefusals.inc({ limit }),
    violations: createLabelledCounter({
      name: 'switchboard_contract_violations_total',
      help: 'Publishes refused by the contract (kept in $dlq.<channel>), by channel and message type.',
      labelNames: ['channel', 'type'],
      registry,
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
    deliveryLatency: createDurationHistogram({
      name: 'switchboard_delivery_latency_seconds',
      help: 'Time from a publish accepted on this node to each first msg frame of it written to a subscriber, by channel.',
      labelName: 'channel',
      buckets: LATENCY_BUCKETS,
      registry,
    }),
    storeAppendSeconds: createDurationHistogram({
      name: 'switchboard_store_append_seconds',
      help: 'Time of one store append (a publish to a durable channel or a dead letter), until it is durable.',
      buckets: APPEND_BUCKETS,
      registry,
    }),
    dlqDepth: createScrapeGauge({
      name: 'switchboard_dlq_depth',
      help: 'Entries in $dlq.<channel>, by original channel.',
      labelNames: ['channel'],
      registry,
    }),
    consumerLag: createScrapeGauge({
      name: 'switchboard_consumer_lag',
      help: "Messages between a channel's head and a consumer group's acknowledged floor, for groups with members on this node.",
      labelNames: ['channel', 'group'],
      registry,
    }),
    consumerPending: createScrapeGauge({
      name: 'switchboard_consumer_pending',
      help: 'Deliveries of a consumer group handed out and not yet acknowledged, for groups with members on this node.',
      labelNames: ['channel', 'group'],
      registry,
    }),
    webhookDeliveries: createLabelledCounter({
      name: 'switchboard_webhook_deliveries_total',
      help: 'Attempts of outbound webhooks, by webhook and outcome (delivered, retry, dead_lettered, aborted, gone).',
      labelNames: ['webhook', 'outcome'],
      registry,
    }),
    webhookAttemptSeconds: createDurationHistogram({
      name: 'switchboard_webhook_attempt_seconds',
      help: 'Time of one outbound webhook attempt, from sending the request to reading the answer (or the error), by webhook.',
      labelName: 'webhook',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registry,
    }),
    webhookBreakerState: createScrapeGauge({
      name: 'switchboard_webhook_breaker_state',
      help: "Each outbound webhook's circuit breaker: 0 closed, 1 open, 2 half-open.",
      labelNames: ['webhook'],
      registry,
    }),
    webhookLag: createScrapeGauge({
      name: 'switchboard_webhook_lag',
      help: "Messages of an outbound webhook's channels not yet answered 2xx (head − ack floor of its groups on this node).",
      labelNames: ['webhook'],
      registry,
    }),
    render: () => renderRegistry(registry),
    stream: (write) => streamRegistry(registry, write),
  };
}

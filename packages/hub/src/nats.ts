/**
 * @switchboard/hub/nats — the NATS JetStream backend: the `Store` on JetStream and the `Cluster` bus between hub
 * nodes. It is its own entry so that a hub on the embedded store never loads the NATS client.
 */
export { openJetStreamStore, type JetStreamStore, type JetStreamStoreOptions } from './store/jetstream/jetstream-store.js';
export type { NatsConnectOptions } from './store/jetstream/connection.js';
export { createNatsCluster } from './store/jetstream/nats-cluster.js';

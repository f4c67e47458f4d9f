/**
 * @switchboard/hub — the hub node: transports, router, delivery, request/reply, and the `Store` interface
 * with its embedded SQLite backend. The NATS JetStream backend is the `@switchboard/hub/nats` entry.
 */
export { createHub, type Hub, type HubOptions, type TlsFiles } from './hub.js';
export type { ReloadResult } from './contracts/contract-reload.js';
export {
  defaultConfig,
  readConfigFile,
  configFromObject,
  channelSettings,
  ConfigError,
  type HubConfig,
  type MetricsConfig,
  type ChannelSettings,
  type ChannelMode,
} from './config/config.js';
export { createMetrics, type HubMetrics } from './metrics/metrics.js';
export type { Peer } from './connection/peer.js';
export type { HubFeature, FeatureHost, FeatureConnection, ConnectionHooks, ParkedFeatureState, HttpRoute, HttpContext } from './features/feature.js';
export type { PublishedEvent, RefusedEvent, DeliveredEvent, ConnectionEvent, PublishTracer, PublishTrace, TracedPublish } from './features/hub-events.js';
export { tracingSettingsFromEnv, type TracingSettings, type OtlpProtocol } from './tracing/tracing-settings.js';
export { dashboardFeature, type DashboardFeatureOptions } from './dashboard/dashboard-feature.js';
export { rolloutsFeature, type RolloutsOptions } from './rollouts/rollouts.js';
export type { RolloutState, RolloutStatusJson } from './rollouts/rollout-record.js';
export type { SideFigures } from './rollouts/rollout-window.js';
export { flagsFeature, type FlagsOptions } from './flags/flags.js';
export type { GroupRouter, GroupRouteRequest, GroupMemberView, GroupOutcomeEvent, GroupControl } from './features/group-routing.js';
/** Shapes of admin API answers (docs/reference/http.md#admin-api), for clients such as the dashboard. */
export type { ChannelStatus } from './admin/status.js';
export type { PublishEdge, SubscribeEdge } from './admin/integration-map.js';
export type { ChannelHistory } from './admin/history.js';
export type { ChannelDetail } from './admin/channel-detail.js';
export type { HubInspector, ConnectionSnapshot, ChannelSnapshot, GroupSnapshot } from './features/hub-inspector.js';
export * from './store/index.js';
export { createLocalCluster, type Cluster, type ClusterRequest } from './cluster/cluster.js';

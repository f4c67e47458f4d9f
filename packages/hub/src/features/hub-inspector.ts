import type { ChannelSettings } from '../config/config.js';
import type { SubscriberInfo } from '../delivery/subscriber-info.js';

/** One connection that said hello. */
export interface ConnectionSnapshot {
  component: string;
  /** The `hello.version`, when given. */
  version?: string;
  session: string;
  /** ISO-8601 time of its `welcome`. */
  since: string;
  subscriptions: SubscriberInfo[];
}

/** A channel opened on this node (by a publish or a subscription). */
export interface ChannelSnapshot {
  ch: string;
  /** Seq of the newest message this node knows of. */
  head: number;
  durable: boolean;
  settings: ChannelSettings;
}

/** A consumer group with members on this node. */
export interface GroupSnapshot {
  ch: string;
  group: string;
  /** Members connected to this node. */
  members: number;
  /** Highest seq acknowledged with every earlier one (see `GroupCursor.ackFloor`); 0 for an ephemeral channel. */
  ackFloor: number;
  /** Deliveries handed out and not yet acknowledged, on this node. */
  pending: number;
}

/** A read-only view of the hub's state now, for features that report it (status, map, dashboard). */
export interface HubInspector {
  connections(): ConnectionSnapshot[];
  channels(): ChannelSnapshot[];
  groups(): GroupSnapshot[];
}

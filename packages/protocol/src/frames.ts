import type { Envelope, EnvelopeMeta } from './envelope.js';
import type { ErrorCode } from './errors.js';

/** Correlation id a client may put on any frame; replies carry it back as `re`. */
export type FrameId = number | string;

/** Where a subscription starts: the oldest retained message, only new ones, or after a given seq. */
export type From = 'earliest' | 'latest' | number;

/** Acknowledgement mode of a subscription. */
export type AckMode = 'manual' | 'auto';

export interface HelloFrame {
  op: 'hello';
  id?: FrameId;
  token?: string;
  component: string;
  version?: string;
  resume?: string;
}
/**
 * Extension: swaps the connection's token for a new one of the same component before the old one expires. The
 * new token's permissions apply from the next op; the reply is `ok` with the new token's `exp`.
 */
export interface RefreshFrame {
  op: 'refresh';
  id?: FrameId;
  token: string;
}
export interface PingFrame {
  op: 'ping';
  id?: FrameId;
}
export interface PubFrame {
  op: 'pub';
  id?: FrameId;
  ch: string;
  type: string;
  data: unknown;
  msg_id?: string;
  meta?: EnvelopeMeta;
}
export interface SubFrame {
  op: 'sub';
  id?: FrameId;
  ch: string;
  from?: From;
  group?: string;
  ack?: AckMode;
  /** Extension: in-flight window of this subscription (at most the hub's `max_inflight`). */
  max_inflight?: number;
  /** Receive `join`/`leave` frames of the channel. */
  presence?: boolean;
  /** Extension: what other members see of this one in presence (`member.info`). */
  info?: Record<string, unknown>;
}
/** `ch` is an extension: it names the channel when one subscription (a pattern) covers several. */
export interface AckFrame {
  op: 'ack';
  id?: FrameId;
  sub: string;
  seq: number;
  ch?: string;
}
export interface NackFrame {
  op: 'nack';
  id?: FrameId;
  sub: string;
  seq: number;
  ch?: string;
  delay_ms?: number;
  reason?: string;
}
export interface UnsubFrame {
  op: 'unsub';
  id?: FrameId;
  sub: string;
}
export interface ReqFrame {
  op: 'req';
  id?: FrameId;
  to: string;
  type: string;
  data?: unknown;
  timeout_ms?: number;
  meta?: EnvelopeMeta;
}
export interface ReplyFrame {
  op: 'reply';
  id?: FrameId;
  rid: string;
  data?: unknown;
  error?: { code: string; message: string; details?: unknown };
}

/** One RFC 6902 JSON Patch operation, or `inc` (`{"op":"inc","path":…,"value":<number>}` adds the number). */
export interface DocOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test' | 'inc';
  /** JSON Pointer of the target (`""` is the whole document). */
  path: string;
  /** JSON Pointer of the source of `move` and `copy`. */
  from?: string;
  value?: unknown;
}
export interface DocSubFrame {
  op: 'doc.sub';
  id?: FrameId;
  doc: string;
  /** Extension: the patches of one write may come as one {@link DocPatchesFrame} instead of a `doc.patch` each. */
  batch?: boolean;
}
export interface DocUnsubFrame {
  op: 'doc.unsub';
  id?: FrameId;
  doc: string;
}
export interface DocUpdateFrame {
  op: 'doc.update';
  id?: FrameId;
  doc: string;
  ops: DocOp[];
  if_version?: number;
  /** Extension: an opaque string repeated in the `doc.patch` of this update, so the updater recognises it. */
  ref?: string;
}
export interface PresenceFrame {
  op: 'presence';
  id?: FrameId;
  ch: string;
}

/** Every frame a client may send. */
export type ClientFrame =
  | HelloFrame
  | PingFrame
  | PubFrame
  | SubFrame
  | AckFrame
  | NackFrame
  | UnsubFrame
  | ReqFrame
  | ReplyFrame
  | DocSubFrame
  | DocUnsubFrame
  | DocUpdateFrame
  | PresenceFrame
  | RefreshFrame;

/** Every client `op` the hub knows. */
export const CLIENT_OPS = [
  'hello',
  'ping',
  'pub',
  'sub',
  'ack',
  'nack',
  'unsub',
  'req',
  'reply',
  'doc.sub',
  'doc.unsub',
  'doc.update',
  'presence',
  'refresh',
] as const;
export type ClientOp = (typeof CLIENT_OPS)[number];

export interface HubLimits {
  max_frame_bytes: number;
  max_inflight: number;
  max_subscriptions?: number;
}
export interface WelcomeFrame {
  op: 'welcome';
  re?: FrameId;
  session: string;
  node: string;
  heartbeat_ms: number;
  limits: HubLimits;
  resumed?: boolean;
  /** Extension, with `resumed: true`: the document subscriptions restored, each continuing after `version`. */
  docs?: { doc: string; version: number }[];
}
export interface PongFrame {
  op: 'pong';
  re?: FrameId;
}
export interface OkFrame {
  op: 'ok';
  re?: FrameId;
  [result: string]: unknown;
}
export interface ErrFrame {
  op: 'err';
  re?: FrameId;
  code: ErrorCode;
  message: string;
  details?: unknown;
  ch?: string;
  msg_id?: string;
  sub?: string;
}
export interface MsgFrame {
  op: 'msg';
  sub: string;
  msg: Envelope;
  redelivered?: number;
}
/** A request delivered to the component it was sent `to`. */
export interface IncomingReqFrame {
  op: 'req';
  rid: string;
  from: string;
  type: string;
  data?: unknown;
  meta?: EnvelopeMeta;
  timeout_ms?: number;
}

/** A change of a subscribed document: `ops` turn version `version - 1` into `version`. */
export interface DocPatchFrame {
  op: 'doc.patch';
  doc: string;
  version: number;
  ops: DocOp[];
  /** Component id of the updater (`$hub` for a patch that replaces the whole value after a gap). */
  by: string;
  /** Extension: the `ref` of the `doc.update` that made the change, when it had one. */
  ref?: string;
}
/** One applied change of a document, as the hub keeps and sends it (a `doc.patch` frame without its `op`). */
export type DocPatch = Omit<DocPatchFrame, 'op'>;
/**
 * Extension, to a `doc.sub` with `"batch":true`: consecutive patches of one document in one frame, in version order;
 * applying them in turn is the same as receiving each as a `doc.patch`.
 */
export interface DocPatchesFrame {
  op: 'doc.patches';
  doc: string;
  patches: Omit<DocPatch, 'doc'>[];
}

/** One member of a channel's presence. */
export interface PresenceMember {
  component: string;
  session: string;
  /** ISO-8601 time the member joined. */
  since: string;
  info: Record<string, unknown>;
}
export interface JoinFrame {
  op: 'join';
  ch: string;
  member: PresenceMember;
}
export interface LeaveFrame {
  op: 'leave';
  ch: string;
  member: PresenceMember;
}

/** Every frame the hub may send. */
export type ServerFrame =
  WelcomeFrame | PongFrame | OkFrame | ErrFrame | MsgFrame | IncomingReqFrame | DocPatchFrame | DocPatchesFrame | JoinFrame | LeaveFrame;

/** Result of an acknowledged `pub`. */
export interface PubResult {
  seq: number;
  duplicate?: boolean;
}
/** Result of a `sub`. */
export interface SubResult {
  sub: string;
  head: number;
}

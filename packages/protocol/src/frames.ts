import type { Envelope, EnvelopeMeta } from './envelope.js';
import type { ErrorCode } from './errors.js';

/** Correlation id a client may put on any frame; replies carry it back as `re`. */
export type FrameId = number | string;

/** Where a subscription starts: the oldest retained message, only new ones, or after a given seq. */
export type From = 'earliest' | 'latest' | number;

/** Acknowledgement mode of a subscription. */
export type AckMode = 'manual' | 'auto';

export interface HelloFrame { op: 'hello'; id?: FrameId; token?: string; component: string; version?: string; resume?: string }
export interface PingFrame { op: 'ping'; id?: FrameId }
export interface PubFrame { op: 'pub'; id?: FrameId; ch: string; type: string; data: unknown; msg_id?: string; meta?: EnvelopeMeta }
export interface SubFrame {
  op: 'sub'; id?: FrameId; ch: string; from?: From; group?: string; ack?: AckMode;
  /** Extension: in-flight window of this subscription (at most the hub's `max_inflight`). */
  max_inflight?: number;
  /** Receive `join`/`leave` frames of the channel. */
  presence?: boolean;
}
/** `ch` is an extension: it names the channel when one subscription (a pattern) covers several. */
export interface AckFrame { op: 'ack'; id?: FrameId; sub: string; seq: number; ch?: string }
export interface NackFrame { op: 'nack'; id?: FrameId; sub: string; seq: number; ch?: string; delay_ms?: number; reason?: string }
export interface UnsubFrame { op: 'unsub'; id?: FrameId; sub: string }
export interface ReqFrame { op: 'req'; id?: FrameId; to: string; type: string; data?: unknown; timeout_ms?: number; meta?: EnvelopeMeta }
export interface ReplyFrame { op: 'reply'; id?: FrameId; rid: string; data?: unknown; error?: { code: string; message: string; details?: unknown } }

/** Every frame a client may send. */
export type ClientFrame = HelloFrame | PingFrame | PubFrame | SubFrame | AckFrame | NackFrame | UnsubFrame | ReqFrame | ReplyFrame;

/** Every client `op` the hub knows. */
export const CLIENT_OPS = ['hello', 'ping', 'pub', 'sub', 'ack', 'nack', 'unsub', 'req', 'reply', 'doc.sub', 'doc.unsub', 'doc.update', 'presence'] as const;
export type ClientOp = (typeof CLIENT_OPS)[number];

export interface HubLimits { max_frame_bytes: number; max_inflight: number; max_subscriptions?: number }
export interface WelcomeFrame { op: 'welcome'; re?: FrameId; session: string; node: string; heartbeat_ms: number; limits: HubLimits; resumed?: boolean }
export interface PongFrame { op: 'pong'; re?: FrameId }
export interface OkFrame { op: 'ok'; re?: FrameId; [result: string]: unknown }
export interface ErrFrame { op: 'err'; re?: FrameId; code: ErrorCode; message: string; details?: unknown; ch?: string; msg_id?: string; sub?: string }
export interface MsgFrame { op: 'msg'; sub: string; msg: Envelope; redelivered?: number }
/** A request delivered to the component it was sent `to`. */
export interface IncomingReqFrame { op: 'req'; rid: string; from: string; type: string; data?: unknown; meta?: EnvelopeMeta; timeout_ms?: number }

/** Every frame the hub may send. */
export type ServerFrame = WelcomeFrame | PongFrame | OkFrame | ErrFrame | MsgFrame | IncomingReqFrame;

/** Result of an acknowledged `pub`. */
export interface PubResult { seq: number; duplicate?: boolean }
/** Result of a `sub`. */
export interface SubResult { sub: string; head: number }

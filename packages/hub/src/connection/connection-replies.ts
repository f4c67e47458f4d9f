import type { ErrorCode, RawFrame } from '@switchboard/protocol';
import { toSwitchboardError } from '../errors.js';
import type { ConnectionDeps } from './connection-deps.js';
import type { Peer } from './peer.js';

type Frame = RawFrame;
type FrameId = number | string | undefined;

/** What the replies read of their connection, at each reply. */
export interface ReplyingConnection {
  readonly state: 'new' | 'ready' | 'closed';
  readonly component: string;
  readonly sessionId: string;
}

/**
 * What a connection answers: `ok` replies and `err` frames, nothing once it is closed. Each `err` is noted in the
 * refusal log; a frame whose handling failed is also told to the features that watch client errors.
 */
export class ConnectionReplies {
  constructor(
    private readonly peer: Peer,
    private readonly deps: Pick<ConnectionDeps, 'log' | 'events' | 'refusals'>,
    private readonly conn: ReplyingConnection,
  ) {}

  /** Answers frame `id` with `body` (an `ok` unless it names another `op`); a frame without id only when `always`. */
  reply(id: FrameId, body: Frame, always = false): void {
    if (id === undefined && !always) return;
    if (this.conn.state === 'closed') return;
    const { op = 'ok', ...rest } = body;
    this.peer.send(JSON.stringify(id === undefined ? { op, ...rest } : { op, re: id, ...rest }));
  }

  /** Answers a frame whose handling failed with its error code (a refused fire-and-forget publish names its channel). */
  fail(frame: Frame, id: FrameId, err: unknown): void {
    const e = toSwitchboardError(err, this.deps.log);
    const { state } = this.conn;
    const events = this.deps.events;
    if (events && events.clientErrors.length > 0 && state !== 'closed') {
      events.emitClientError({
        transport: 'ws',
        op: typeof frame.op === 'string' ? frame.op.slice(0, 64) : undefined,
        code: e.code,
        message: e.message,
        ...(state === 'ready' ? { component: this.conn.component } : {}),
        ...(this.peer.remote !== undefined ? { remote: this.peer.remote } : {}),
        ...(typeof frame.ch === 'string' ? { ch: frame.ch } : {}),
      });
    }
    const extra: Frame = {};
    if (frame.op === 'pub' && id === undefined) {
      if (typeof frame.ch === 'string') extra.ch = frame.ch;
      if (typeof frame.msg_id === 'string') extra.msg_id = frame.msg_id;
    }
    if ((frame.op === 'ack' || frame.op === 'nack') && typeof frame.sub === 'string') extra.sub = frame.sub;
    const meta = frame.meta as { correlation_id?: unknown } | undefined;
    const correlationId = typeof meta?.correlation_id === 'string' ? meta.correlation_id : undefined;
    this.sendErr(id, e.code, e.message, e.details, extra, typeof frame.ch === 'string' ? frame.ch : undefined, correlationId);
  }

  /** Sends an `err` frame with the `extra` fields; `ch` and `correlationId` are for the refusal log only. */
  sendErr(id: FrameId, code: ErrorCode, message: string, details?: unknown, extra?: Frame, ch?: string, correlationId?: string): void {
    const { state } = this.conn;
    if (state === 'closed') return;
    const ready = state === 'ready';
    this.deps.refusals?.note({
      code,
      message,
      ch,
      component: ready ? this.conn.component : undefined,
      session: ready ? this.conn.sessionId : undefined,
      correlationId,
      transport: 'ws',
    });
    const frame: Frame = { op: 'err' };
    if (id !== undefined) frame.re = id;
    frame.code = code;
    frame.message = message;
    if (details !== undefined) frame.details = details;
    if (extra) Object.assign(frame, extra);
    this.peer.send(JSON.stringify(frame));
  }
}

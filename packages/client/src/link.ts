import type { ClientFrame, ErrFrame, FrameId, OkFrame } from '@switchboard/protocol';

/** Where the reply to a call goes: its `ok`, its `err`, or the socket dropping before either. */
export interface ReplyHandlers {
  ok(frame: OkFrame): void;
  err(frame: ErrFrame): void;
  drop(): void;
}

/** The client's current socket, as its parts (outbox, requests, subscriptions) see it. */
export interface Link {
  /** True while a welcomed socket is up. */
  readonly up: boolean;
  /** Sends `frame` with a fresh `id` and routes its reply to `reply`. Only while `up`. */
  call(frame: ClientFrame, reply: ReplyHandlers): FrameId;
  /** Forgets a call: its reply, if it ever comes, is ignored. */
  cancel(id: FrameId): void;
  /** Sends a frame without correlation; false when there is no socket. */
  send(frame: ClientFrame): boolean;
}

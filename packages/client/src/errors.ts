import { SwitchboardError, isErrorCode, type ErrFrame } from '@switchboard/protocol';

/**
 * A refusal that reached the client without a pending call to reject: a fire-and-forget publish refused by the
 * hub (`ch` and `msgId` say which), or an error about a subscription (`sub`). Emitted as an `error` event.
 */
export class AsyncRefusalError extends SwitchboardError {
  /** Channel of the refused publish, when the hub named it. */
  readonly ch?: string;
  /** `msg_id` of the refused publish, when it had one. */
  readonly msgId?: string;
  /** Hub subscription id the error is about, when any. */
  readonly sub?: string;
  constructor(frame: ErrFrame) {
    super(codeOf(frame.code), frame.message, frame.details);
    this.name = 'AsyncRefusalError';
    if (frame.ch !== undefined) this.ch = frame.ch;
    if (frame.msg_id !== undefined) this.msgId = frame.msg_id;
    if (frame.sub !== undefined) this.sub = frame.sub;
  }
}

/** The code of an `err` frame, or `INTERNAL` when the hub sent one this client does not know. */
export function codeOf(code: unknown): SwitchboardError['code'] {
  return isErrorCode(code) ? code : 'INTERNAL';
}

/** A `SwitchboardError` carrying the code, message and details of an `err` frame. */
export function errorFromFrame(frame: Pick<ErrFrame, 'code' | 'message' | 'details'>, context?: string): SwitchboardError {
  const message = typeof frame.message === 'string' && frame.message ? frame.message : `the hub answered ${String(frame.code)}`;
  return new SwitchboardError(codeOf(frame.code), context ? `${context}: ${message}` : message, frame.details);
}

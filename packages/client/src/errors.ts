import { SwitchboardError, isErrorCode, type DocOp, type ErrFrame, type ErrorCode } from '@switchboard/protocol';

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

/**
 * A document update that did not apply: refused by the hub (`CONFLICT`, `CONTRACT_VIOLATION`, `BAD_FRAME`, …), timed
 * out, or lost with the connection (`UNAVAILABLE`). Its local change was rolled back.
 */
export class DocumentError extends SwitchboardError {
  /** The document. */
  readonly doc: string;
  /** The operations of the update. */
  readonly ops: DocOp[];
  /** For `CONFLICT`: the document's current version (`details.version`), to redo the update against. */
  readonly version?: number;
  constructor(doc: string, ops: DocOp[], code: ErrorCode, message: string, details?: unknown) {
    super(code, message, details);
    this.name = 'DocumentError';
    this.doc = doc;
    this.ops = ops;
    const v = (details as { version?: unknown } | undefined)?.version;
    if (typeof v === 'number') this.version = v;
  }
}

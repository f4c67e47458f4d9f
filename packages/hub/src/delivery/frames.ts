/** A first-delivery `msg` frame shared by the subscribers of one message: its text, and a slot where the transport keeps its encoding. */
export interface SharedFrame {
  readonly text: string;
  /** Set by the transport on first send (the framed bytes), so the next subscribers reuse them. */
  wire?: unknown;
}

/** Encoded `msg` frames of one message, by subscription id: subscribers with the same id share one frame. */
export class FrameCache {
  private firstSub: string | undefined;
  private first: SharedFrame | undefined;
  private rest: Map<string, SharedFrame> | undefined;

  /** The first-delivery frame for `sub`, built once per message and subscription id. */
  frame(sub: string, json: string): SharedFrame {
    if (this.firstSub === sub) return this.first!;
    if (this.firstSub === undefined) {
      this.firstSub = sub;
      return (this.first = { text: msgFrame(sub, json, 0) });
    }
    this.rest ??= new Map();
    let f = this.rest.get(sub);
    if (!f) {
      f = { text: msgFrame(sub, json, 0) };
      this.rest.set(sub, f);
    }
    return f;
  }
}

/** The `msg` frame for subscription `sub`, built by concatenation around the envelope JSON encoded once. */
export function msgFrame(sub: string, json: string, redelivered: number): string {
  return redelivered > 0
    ? '{"op":"msg","sub":"' + sub + '","redelivered":' + redelivered + ',"msg":' + json + '}'
    : '{"op":"msg","sub":"' + sub + '","msg":' + json + '}';
}

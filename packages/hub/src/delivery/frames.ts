/** Encoded `msg` frames of one message, by subscription id: subscribers with the same id share the bytes. */
export type FrameCache = Map<string, Buffer>;

/** The first-delivery `msg` frame for `sub`, encoded once per message and subscription id. */
export function sharedMsgFrame(cache: FrameCache, sub: string, json: string): Buffer {
  let b = cache.get(sub);
  if (!b) {
    b = Buffer.from(msgFrame(sub, json, 0));
    cache.set(sub, b);
  }
  return b;
}

/** The `msg` frame for subscription `sub`, built by concatenation around the envelope JSON encoded once. */
export function msgFrame(sub: string, json: string, redelivered: number): string {
  return redelivered > 0
    ? '{"op":"msg","sub":"' + sub + '","redelivered":' + redelivered + ',"msg":' + json + '}'
    : '{"op":"msg","sub":"' + sub + '","msg":' + json + '}';
}

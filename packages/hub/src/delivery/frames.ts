/** The `msg` frame for subscription `sub`, built by concatenation around the envelope JSON encoded once. */
export function msgFrame(sub: string, json: string, redelivered: number): string {
  return redelivered > 0
    ? '{"op":"msg","sub":"' + sub + '","redelivered":' + redelivered + ',"msg":' + json + '}'
    : '{"op":"msg","sub":"' + sub + '","msg":' + json + '}';
}

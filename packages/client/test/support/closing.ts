/** Registers `close()` of what `p` resolves to as cleanup of test `t`, so that a failed assertion never leaves a socket open. */
export async function closing<T extends { close(): Promise<void> }>(t: { after(fn: () => unknown): void }, p: Promise<T>): Promise<T> {
  const c = await p;
  t.after(() => c.close());
  return c;
}

/** Resolves once `pred()` is true, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Registers `close()` of what `p` resolves to as cleanup of test `t`, so that a failed assertion never leaves a socket open. */
export async function closing<T extends { close(): Promise<void> }>(t: { after(fn: () => unknown): void }, p: Promise<T>): Promise<T> {
  const c = await p;
  t.after(() => c.close());
  return c;
}

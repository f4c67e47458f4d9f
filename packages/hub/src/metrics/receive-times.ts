/**
 * When the most recent publishes of this node were accepted, by (channel, seq), so that a delivery can tell how long
 * after its publish it went out. A fixed table (no allocation per message, bounded memory whatever the number of
 * channels): a slot is taken by the newest message that hashes to it, so a message delivered after about `size`
 * later publishes on this node may no longer be found, and is then not timed.
 */
export class ReceiveTimes {
  private readonly at: Float64Array;
  private readonly seqs: Float64Array;
  private readonly owners: Int32Array;
  private readonly mask: number;

  /** `size` is rounded up to a power of two. */
  constructor(size = 8192) {
    let n = 1;
    while (n < size) n *= 2;
    this.at = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.owners = new Int32Array(n);
    this.mask = n - 1;
  }

  private slot(channel: number, seq: number): number {
    return (Math.imul(channel, 0x9e3779b1) + seq) & this.mask;
  }

  /** Notes that message `seq` of channel number `channel` (above 0) was accepted at `t` (`performance.now()`). */
  record(channel: number, seq: number, t: number): void {
    const i = this.slot(channel, seq);
    this.at[i] = t;
    this.seqs[i] = seq;
    this.owners[i] = channel;
  }

  /** When message `seq` of channel number `channel` was accepted, or -1 when it is not (or no longer) known. */
  find(channel: number, seq: number): number {
    const i = this.slot(channel, seq);
    return this.owners[i] === channel && this.seqs[i] === seq ? this.at[i]! : -1;
  }
}

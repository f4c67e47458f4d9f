// The data bridge: publishes ticks on market.ticks; every `invalidEvery`-th tick is deliberately broken and
// must be refused by the hub with CONTRACT_VIOLATION (it then sits in $dlq.market.ticks).
import { connect } from '@switchboard/client';

const SYMBOLS = ['EURUSD', 'GBPUSD', 'USDJPY', 'AUDUSD'];
const now = () => performance.timeOrigin + performance.now();

/**
 * Streams `count` ticks at `rate` per second. Resolves with counts: sent, accepted, refused (with the reasons).
 * @param {{url: string, count?: number, rate?: number, invalidEvery?: number}} options
 */
export async function runBridge({ url, count = 1000, rate = 200, invalidEvery = 100 }) {
  const client = await connect({ url, component: 'data-bridge', version: '1.0.0' });
  const refused = [];
  let accepted = 0;
  const pending = [];
  const start = now();
  for (let i = 1; i <= count; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length];
    const mid = 1 + (i % 100) / 1000;
    let tick = { symbol, bid: mid, ask: mid + 0.0002, sent_at: now() };
    if (invalidEvery > 0 && i % invalidEvery === 0) {
      // Three kinds of broken tick: wrong type, bad symbol, missing field.
      const kind = (i / invalidEvery) % 3;
      if (kind === 0) tick = { ...tick, bid: String(tick.bid) };
      else if (kind === 1) tick = { ...tick, symbol: symbol.toLowerCase() };
      else {
        const rest = { ...tick };
        delete rest.ask;
        tick = rest;
      }
    }
    pending.push(
      client.publish('market.ticks', 'tick', tick).then(
        () => {
          accepted++;
        },
        (err) => {
          refused.push({ i, code: err.code, message: err.message, details: err.details });
        },
      ),
    );
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  await client.close();
  return { sent: count, accepted, refused };
}

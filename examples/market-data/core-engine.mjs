// The core engine: consumes market.ticks as consumer group "engine" with manual ack and measures
// end-to-end latency (bridge send → engine receive) in an HDR histogram.
import { connect } from '@switchboard/client';
import hdr from 'hdr-histogram-js';

const now = () => performance.timeOrigin + performance.now();

/**
 * Starts the engine; returns a handle whose `stop()` resolves with what it saw.
 * @param {{url: string, group?: string}} options
 */
export async function startEngine({ url, group = 'engine' }) {
  const client = await connect({ url, component: 'core-engine', version: '1.4.0' });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const seqs = [];
  const sub = await client.subscribe('market.ticks', {
    group,
    ack: 'manual',
    from: 'latest',
    onMessage: (m) => {
      // Latency in microseconds; the callback resolving acks the message.
      histogram.recordValue(Math.max(1, Math.round((now() - m.data.sent_at) * 1000)));
      seqs.push(m.seq);
    },
  });
  return {
    received: () => seqs.length,
    async stop() {
      await sub.unsubscribe();
      await client.close();
      return {
        seqs,
        p50: histogram.getValueAtPercentile(50) / 1000,
        p99: histogram.getValueAtPercentile(99) / 1000,
        max: histogram.maxValue / 1000,
      };
    },
  };
}

import type { Channel } from '../channels/channel-table.js';
import type { Store } from '../store/store.js';

/**
 * Returns a function that brings this node's subscribed durable channels up to the store's head: for each
 * one whose stored last seq is past what this node has seen (an announcement from another node was lost),
 * it hands the newest message to the channel's listeners, which read the gap from the log themselves. One
 * pass runs at a time; a call while one runs is dropped (the next call covers it).
 */
export function createCatchUp(store: Store, channels: () => Iterable<Channel>): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      for (const ch of [...channels()]) {
        if (!ch.durable || ch.listeners.size === 0) continue;
        try {
          const { last } = await store.info(ch.name);
          if (last <= ch.head) continue;
          const [m] = await store.read(ch.name, last - 1, 1);
          if (m && m.seq > ch.head) ch.deliver(m);
        } catch {
          /* the store is unreachable: the next pass tries again */
        }
      }
    } finally {
      running = false;
    }
  };
}

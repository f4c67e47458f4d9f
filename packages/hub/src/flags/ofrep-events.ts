import type { ServerResponse } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { HttpRoute } from '../features/feature.js';

/** Where OFREP clients listen for flag changes (the `eventStreams` of a bulk evaluation). */
export const OFREP_EVENTS_PATH = '/ofrep/v1/events';
/** Event-stream clients per node, at most. */
const MAX_STREAMS = 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * The OFREP event stream (Server-Sent Events, OFREP ADR-0008): each change of a flag sends
 * `{"type":"refetchEvaluation","lastModified":<unix s>}`, and the client evaluates again with the bulk endpoint.
 * Notification only: no flag data goes over it.
 */
export class OfrepEvents {
  private readonly streams = new Set<ServerResponse>();
  private nextId = 1;
  private readonly heartbeat: NodeJS.Timeout;

  /** `onLimit` counts a stream refused because {@link MAX_STREAMS} are open. */
  constructor(
    private readonly now: () => number,
    private readonly onLimit: () => void = () => {},
  ) {
    this.heartbeat = setInterval(() => {
      for (const res of this.streams) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Tells every stream that the flags changed. */
  changed(): void {
    const data = JSON.stringify({ type: 'refetchEvaluation', lastModified: Math.floor(this.now() / 1000) });
    const event = `id: ${this.nextId++}\nevent: message\ndata: ${data}\n\n`;
    for (const res of this.streams) res.write(event);
  }

  /** `GET /ofrep/v1/events` (any caller the hub identifies). */
  route(): HttpRoute {
    return {
      path: OFREP_EVENTS_PATH,
      methods: ['GET'],
      hint: 'use GET (an EventSource) to hear of flag changes',
      handle: async (ctx) => {
        await ctx.identify();
        if (this.streams.size >= MAX_STREAMS) {
          this.onLimit();
          throw new SwitchboardError('RATE_LIMITED', `${MAX_STREAMS} event streams are open on this node, the most it keeps; poll the bulk evaluation instead`);
        }
        const { res } = ctx;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.write(': flag changes\n\n');
        this.streams.add(res);
        await new Promise<void>((resolve) => res.once('close', resolve));
        this.streams.delete(res);
      },
    };
  }

  /** Ends every stream (the hub stops). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}

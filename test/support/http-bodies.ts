// The JSON bodies the hub's HTTP API answers with, as the tests read them (docs/reference/http.md).
// `res.json()` is not checked against them: a test says which body it expects, and its assertions check the rest.
import type { ViolationDetail } from '@switchboard/protocol';

// The history body (`HistoryPage`) and dead letters are in hub-fixture.ts, beside the helpers that read them.

/** Any refusal: the error code of the protocol, a sentence, and details where the code defines them. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** A `CONTRACT_VIOLATION` refusal: `details` lists each failing field. */
export interface ViolationBody extends ErrorBody {
  details: ViolationDetail[];
}

/** `GET /v1/docs/{doc}`: the current version and value (`V`) of a document. */
export interface DocBody<V = unknown> {
  version: number;
  value: V;
}

/** One entry of `GET /v1/channels`. */
export interface ChannelListing {
  ch: string;
  head: number;
  first: number;
  count: number;
  /** One per component, pattern, group and ack mode, with the number of connections. */
  subscribers: { component: string; pattern: string; group?: string; ack: string; connections: number }[];
}

/** `GET /v1/channels`. */
export interface ChannelsBody {
  channels: ChannelListing[];
}

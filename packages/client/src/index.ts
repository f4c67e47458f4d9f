/**
 * `@switchboard/client`: the Switchboard SDK for Node and browsers.
 *
 * ```ts
 * const client = await connect({ url: 'ws://127.0.0.1:7070/v1/ws', component: 'data-bridge' });
 * await client.publish('market.ticks', 'tick', { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843 });
 * const qa = await client.doc<{ votes: number }>('qa/42');
 * await qa.inc('/votes');
 * ```
 */
export { connect } from './client.js';
export { AsyncRefusalError, DocumentError } from './errors.js';
export { applyPatch, PatchError } from './json-patch.js';
export { backoffDelay, backoffPolicy, type BackoffPolicy } from './backoff.js';
export type { TlsOptions, WebSocketCtor, WebSocketLike } from './transport.js';
export type { PayloadParse, PayloadStringify } from './payload-codec.js';
export type { TraceApi, TraceSpanContext } from './trace-context.js';
export type {
  ClientEvents,
  ConnectOptions,
  ConnectionState,
  DocumentChange,
  DocumentChangeKind,
  DocumentUpdateOptions,
  IncomingRequest,
  Message,
  Presence,
  PresenceEvents,
  PublishOptions,
  PublishResult,
  ReconnectOptions,
  RequestHandler,
  SharedDocument,
  SubscribeOptions,
  Subscription,
  SwitchboardClient,
} from './types.js';
export {
  SwitchboardError,
  type DocOp,
  type Envelope,
  type EnvelopeMeta,
  type ErrorCode,
  type From,
  type PresenceMember,
  type PubResult,
  type WelcomeFrame,
} from '@switchboard/protocol';

/**
 * `@switchboard/client`: the Switchboard SDK for Node and browsers.
 *
 * ```ts
 * const client = await connect({ url: 'ws://127.0.0.1:7070/v1/ws', component: 'data-bridge' });
 * await client.publish('market.ticks', 'tick', { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843 });
 * ```
 */
export { connect } from './client.js';
export { AsyncRefusalError } from './errors.js';
export { backoffDelay, backoffPolicy, type BackoffPolicy } from './backoff.js';
export type { WebSocketCtor, WebSocketLike } from './transport.js';
export type {
  ClientEvents, ConnectOptions, ConnectionState, IncomingRequest, Message, PublishOptions, PublishResult, ReconnectOptions,
  RequestHandler, SubscribeOptions, Subscription, SwitchboardClient,
} from './types.js';
export { SwitchboardError, type Envelope, type EnvelopeMeta, type ErrorCode, type From, type PubResult, type WelcomeFrame } from '@switchboard/protocol';

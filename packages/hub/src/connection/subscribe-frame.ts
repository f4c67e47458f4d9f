import { channelPatternProblem, SwitchboardError, type AckMode, type From, type RawFrame } from '@switchboard/protocol';
import type { HubConfig } from '../config/config.js';
import type { SubscriptionSpec } from '../delivery/subscription.js';
import type { LimitName } from '../metrics/limit-names.js';

const GROUP_NAME = /^[A-Za-z0-9_.\-:@/]{1,128}$/;

/**
 * Checks the fields of a `sub` frame and returns the subscription it asks for, with id `id`; throws BAD_FRAME,
 * UNKNOWN_CHANNEL or RATE_LIMITED (`held` subscriptions already on the connection; `onLimit` counts that refusal).
 */
export function checkSubscribeFrame(
  frame: RawFrame,
  id: string,
  held: number,
  limits: HubConfig['limits'],
  onLimit: (limit: LimitName) => void,
): SubscriptionSpec {
  const problem = channelPatternProblem(frame.ch);
  if (problem)
    throw new SwitchboardError(typeof frame.ch === 'string' ? 'UNKNOWN_CHANNEL' : 'BAD_FRAME', `cannot subscribe to ${JSON.stringify(frame.ch)}: ${problem}`);
  if (held >= limits.maxSubscriptions) {
    onLimit('subscriptions_per_connection');
    throw new SwitchboardError('RATE_LIMITED', `this connection has ${held} subscriptions, the limit; unsubscribe from some or raise limits.max_subscriptions`);
  }
  let from: From = 'latest';
  if (frame.from !== undefined) {
    if (frame.from === 'earliest' || frame.from === 'latest') from = frame.from;
    else if (typeof frame.from === 'number' && Number.isSafeInteger(frame.from) && frame.from >= 0) from = frame.from;
    else if (typeof frame.from === 'string' && /^\d+$/.test(frame.from)) from = Number(frame.from);
    else throw new SwitchboardError('BAD_FRAME', '"from" must be "earliest", "latest" or a whole number n ≥ 0 (deliver every message with seq > n)');
  }
  let group: string | undefined;
  if (frame.group !== undefined) {
    if (typeof frame.group !== 'string' || !GROUP_NAME.test(frame.group))
      throw new SwitchboardError('BAD_FRAME', '"group" must be 1-128 characters of A-Z a-z 0-9 _ . - : @ /');
    group = frame.group;
  }
  let ack: AckMode = 'auto';
  if (frame.ack !== undefined) {
    if (frame.ack !== 'manual' && frame.ack !== 'auto') throw new SwitchboardError('BAD_FRAME', '"ack" must be "manual" or "auto"');
    ack = frame.ack;
  }
  let maxInflight = limits.maxInflight;
  if (frame.max_inflight !== undefined) {
    if (typeof frame.max_inflight !== 'number' || !Number.isInteger(frame.max_inflight) || frame.max_inflight < 1) {
      throw new SwitchboardError('BAD_FRAME', '"max_inflight" must be a whole number ≥ 1');
    }
    maxInflight = Math.min(frame.max_inflight, limits.maxInflight);
  }
  if (frame.presence !== undefined && typeof frame.presence !== 'boolean') throw new SwitchboardError('BAD_FRAME', '"presence" must be true or false');
  return { id, pattern: frame.ch as string, from, group, ack, maxInflight };
}

import { channelSettings } from '../config/config.js';
import type { FeatureHost } from '../features/feature.js';

/** `GET /v1/admin/channels/{ch}`: the settings a channel gets (mode, retention, acks) and its contract with each message's schema. */
export interface ChannelDetail {
  ch: string;
  settings: { mode: string; retention: { max_messages: number | null; max_age_ms: number | null }; ack_timeout_ms: number; max_deliveries: number };
  contract: {
    address: string;
    file: string;
    description: string | null;
    messages: { type: string; summary: string | null; file: string; pointer: string; schema: unknown }[];
  } | null;
}

/** What a channel is set up as on this node: its settings (config, then the contract's `x-switchboard`, then defaults) and its contract. */
export function channelDetail(host: FeatureHost, ch: string): ChannelDetail {
  const contract = host.contracts().channel(ch);
  const opened = host.inspect.channels().find((c) => c.ch === ch);
  const s = opened?.settings ?? channelSettings(host.config, ch, contract?.extensions as Record<string, unknown> | undefined);
  return {
    ch,
    settings: {
      mode: s.mode,
      retention: { max_messages: s.maxMessages ?? null, max_age_ms: s.maxAgeMs ?? null },
      ack_timeout_ms: s.ackTimeoutMs,
      max_deliveries: s.maxDeliveries,
    },
    contract: contract
      ? {
          address: contract.address,
          file: contract.file,
          description: contract.description ?? null,
          messages: contract.messageTypes.map((type) => {
            const m = contract.message(type);
            return { type, summary: m?.summary ?? null, file: m?.file ?? contract.file, pointer: m?.pointer ?? '', schema: m?.schema ?? null };
          }),
        }
      : null,
  };
}

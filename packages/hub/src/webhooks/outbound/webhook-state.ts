import type { Store } from '../../store/store.js';
import type { BreakerSnapshot } from './breaker.js';

/** The KV bucket of the webhooks' persisted state (one key per webhook name). */
export const WEBHOOK_BUCKET = 'webhooks';

/** What survives a restart of a webhook, besides its position: its breaker, and whether a 410 disabled it. */
export interface PersistedWebhookState {
  breaker: BreakerSnapshot;
  /** Set when the endpoint answered 410 Gone; cleared when the configured `url` changes. */
  disabled?: { at: string; reason: string; url: string };
}

/**
 * Reads and writes a webhook's state in the store's KV (so it is shared by the nodes of a cluster and survives
 * `kill -9`). Writes are queued one after the other; the last one wins.
 */
export class WebhookStateStore {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly name: string,
    private readonly warn: (err: unknown, msg: string) => void,
  ) {}

  async load(): Promise<PersistedWebhookState | undefined> {
    const v = await this.store.kvGet(WEBHOOK_BUCKET, this.name);
    return v?.value as PersistedWebhookState | undefined;
  }

  save(state: PersistedWebhookState): Promise<void> {
    const copy = JSON.parse(JSON.stringify(state)) as PersistedWebhookState;
    this.chain = this.chain
      .then(() => this.store.kvPut(WEBHOOK_BUCKET, this.name, copy))
      .then(
        () => undefined,
        (err: unknown) => this.warn(err, `webhook "${this.name}": its state was not saved; it is saved again at the next change`),
      );
    return this.chain;
  }
}

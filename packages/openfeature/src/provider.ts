import { connect, type ConnectOptions, type SharedDocument, type SwitchboardClient } from '@switchboard/client';
import { evaluateFlag, type FlagDefinition, type FlagType, type FlagValue } from '@switchboard/flags';
import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { FLAG_DOC_PREFIX, resolutionDetails } from './resolution.js';

/** Options of {@link SwitchboardProvider}. */
export interface SwitchboardProviderOptions {
  /** A client to use (the provider does not close it); otherwise the provider connects one with `connect`. */
  client?: SwitchboardClient;
  /** How to connect a client of its own (closed by `onClose`). */
  connect?: ConnectOptions;
  /** Flags to follow from `initialize` on; any other is followed from its first evaluation. */
  flags?: string[];
}

/**
 * An OpenFeature provider (`@openfeature/server-sdk`) for Switchboard's feature flags: it follows each flag's document
 * `flags/<key>` over the client's socket and evaluates locally, as flagd does (`@switchboard/flags`). A change pushed
 * by the hub is in the next evaluation, and emits `PROVIDER_CONFIGURATION_CHANGED` with the flag's key.
 */
export class SwitchboardProvider implements Provider {
  readonly metadata = { name: 'switchboard' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  private client: SwitchboardClient | undefined;
  private readonly docs = new Map<string, Promise<SharedDocument<FlagDefinition | null>>>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly options: SwitchboardProviderOptions) {
    if (!options.client && !options.connect) throw new Error('SwitchboardProvider needs a client, or connect options to make one');
  }

  async initialize(): Promise<void> {
    this.client = this.options.client ?? (await connect(this.options.connect!));
    await Promise.all((this.options.flags ?? []).map((key) => this.follow(key)));
  }

  async onClose(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    const docs = await Promise.allSettled(this.docs.values());
    this.docs.clear();
    for (const d of docs) if (d.status === 'fulfilled') await d.value.close().catch(() => undefined);
    if (!this.options.client) await this.client?.close();
    this.client = undefined;
  }

  resolveBooleanEvaluation(key: string, fallback: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.resolve(key, 'boolean', fallback, context);
  }

  resolveStringEvaluation(key: string, fallback: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.resolve(key, 'string', fallback, context);
  }

  resolveNumberEvaluation(key: string, fallback: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.resolve(key, 'number', fallback, context);
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, fallback: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return this.resolve(key, 'object', fallback as FlagValue, context) as Promise<ResolutionDetails<T>>;
  }

  private async resolve<T extends FlagValue>(key: string, type: FlagType, fallback: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    const doc = await this.follow(key);
    const flag = doc.value ?? undefined;
    return resolutionDetails(evaluateFlag(key, flag, type, fallback, context as Record<string, unknown>));
  }

  /** The document of flag `key`, subscribed once; its changes are announced as configuration changes. */
  private follow(key: string): Promise<SharedDocument<FlagDefinition | null>> {
    let doc = this.docs.get(key);
    if (!doc) {
      if (!this.client) return Promise.reject(new Error('the provider is not initialized'));
      doc = this.client.doc<FlagDefinition | null>(FLAG_DOC_PREFIX + key).then((d) => {
        this.offs.push(
          d.on('change', (c) => {
            if (c.kind === 'local' || c.kind === 'rollback') return;
            this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [key], metadata: { version: c.version } });
          }),
        );
        return d;
      });
      doc.catch(() => this.docs.delete(key));
      this.docs.set(key, doc);
    }
    return doc;
  }
}

import type { SharedDocument, SwitchboardClient } from '@switchboard/client';
import { connect, type ConnectOptions } from '@switchboard/client';
import { evaluateFlag, type FlagDefinition, type FlagType, type FlagValue } from '@switchboard/flags';
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import { FLAG_DOC_PREFIX, resolutionDetails } from './resolution.js';

/** Options of {@link SwitchboardWebProvider}. */
export interface SwitchboardWebProviderOptions {
  /** A client to use (left open on close); otherwise the provider connects one with `connect`. */
  client?: SwitchboardClient;
  connect?: ConnectOptions;
  /** The flags the page uses: followed from `initialize` on (another flag is followed from its first evaluation). */
  flags: string[];
}

/**
 * An OpenFeature provider for `@openfeature/web-sdk` (browsers): it follows each flag's document `flags/<key>` over
 * the client's socket and evaluates synchronously from it for the static context, as flagd does. A change pushed by
 * the hub emits `PROVIDER_CONFIGURATION_CHANGED` (so `useFlag` and the like re-render); a flag evaluated before its
 * document arrived answers the default with `FLAG_NOT_FOUND`, then emits the change once it is here.
 */
export class SwitchboardWebProvider implements Provider {
  readonly metadata = { name: 'switchboard' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  private client: SwitchboardClient | undefined;
  private readonly docs = new Map<string, SharedDocument<FlagDefinition | null>>();
  private readonly following = new Set<string>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly options: SwitchboardWebProviderOptions) {
    if (!options.client && !options.connect) throw new Error('SwitchboardWebProvider needs a client, or connect options to make one');
  }

  async initialize(): Promise<void> {
    this.client = this.options.client ?? (await connect(this.options.connect!));
    await Promise.all(this.options.flags.map((key) => this.follow(key)));
  }

  async onClose(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    for (const d of this.docs.values()) await d.close().catch(() => undefined);
    this.docs.clear();
    this.following.clear();
    if (!this.options.client) await this.client?.close();
    this.client = undefined;
  }

  resolveBooleanEvaluation(key: string, fallback: boolean, context: EvaluationContext): ResolutionDetails<boolean> {
    return this.resolve(key, 'boolean', fallback, context);
  }

  resolveStringEvaluation(key: string, fallback: string, context: EvaluationContext): ResolutionDetails<string> {
    return this.resolve(key, 'string', fallback, context);
  }

  resolveNumberEvaluation(key: string, fallback: number, context: EvaluationContext): ResolutionDetails<number> {
    return this.resolve(key, 'number', fallback, context);
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, fallback: T, context: EvaluationContext): ResolutionDetails<T> {
    return this.resolve(key, 'object', fallback as FlagValue, context) as ResolutionDetails<T>;
  }

  private resolve<T extends FlagValue>(key: string, type: FlagType, fallback: T, context: EvaluationContext): ResolutionDetails<T> {
    const doc = this.docs.get(key);
    if (!doc) {
      void this.follow(key).then(
        () => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [key] }),
        () => undefined,
      );
      return {
        value: fallback,
        reason: 'ERROR',
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `flag "${key}" is on its way; evaluate again on the change event`,
      };
    }
    return resolutionDetails(evaluateFlag(key, doc.value ?? undefined, type, fallback, context as Record<string, unknown>));
  }

  private async follow(key: string): Promise<void> {
    if (this.following.has(key) || !this.client) return;
    this.following.add(key);
    try {
      const d = await this.client.doc<FlagDefinition | null>(FLAG_DOC_PREFIX + key);
      this.docs.set(key, d);
      this.offs.push(
        d.on('change', (c) => {
          if (c.kind !== 'local' && c.kind !== 'rollback') this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [key] });
        }),
      );
    } catch (err) {
      this.following.delete(key);
      throw err;
    }
  }
}

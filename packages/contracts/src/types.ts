import type { SwitchboardExtension } from './extension.js';
import type { JsonSchema } from './schema-bundle.js';
import type { ViolationResult } from './violations.js';

/** One message type a channel accepts. */
export interface MessageContract {
  /** The message type: the message's `name`, else its key under the channel's `messages`. */
  readonly type: string;
  /** The message's key under the channel's `messages`. */
  readonly id: string;
  /** File and JSON pointer of the Message Object (after following `$ref`s). */
  readonly file: string;
  readonly pointer: string;
  readonly summary?: string;
  readonly description?: string;
  /** `schemaFormat` of the payload (the AsyncAPI schema when not given). */
  readonly schemaFormat: string;
  /** The payload schema as one self-contained JSON Schema (all `$ref`s bundled); absent when the message has no payload or is not validated. */
  readonly schema?: JsonSchema;
  /**
   * Where each definition of the bundled `schema` was copied from: bundle name (`s0` is the payload itself, `s1`…
   * the schemas it references) → file and JSON pointer. Present when `schema` is.
   */
  readonly definitionSources?: Readonly<Record<string, { readonly file: string; readonly pointer: string }>>;
  /** False when the hub does not check the data: no payload, or a non-JSON Schema format accepted with `unsupportedSchemaFormats: 'skip'`. */
  readonly validated: boolean;
}

/** Where a channel is declared. Several documents (or channels of one document) may declare the same address. */
export interface ChannelDeclaration {
  readonly file: string;
  /** The channel's key under `channels`. */
  readonly id: string;
  /** JSON pointer of the Channel Object (after following `$ref`s). */
  readonly pointer: string;
}

/** The contract of one channel address, merged from every document that declares it. */
export interface ChannelContract {
  /** The channel name: the channel's `address`, or its key when `address` is absent or null. May hold `{param}` placeholders. */
  readonly address: string;
  /** Key under `channels` of the first declaration. */
  readonly id: string;
  /** File of the first declaration. */
  readonly file: string;
  /** Accepted message types, in declaration order (arrays of a contract are frozen). */
  readonly messageTypes: string[];
  /** The channel's `x-switchboard` object (shape checked at load), `{}` when absent. */
  readonly extensions: SwitchboardExtension;
  readonly description?: string;
  /** Names of the `{param}` placeholders of the address. */
  readonly parameters: string[];
  readonly declarations: ChannelDeclaration[];
  /** The contract of one message type, or undefined when the channel does not accept it. */
  message(type: string): MessageContract | undefined;
}

/** One in-place change of a value: the number at `path` replaced, or (`created`) the key at `path` added to its object. */
export interface ValueChange {
  /** The JSON Pointer's segments, unescaped. */
  readonly path: readonly string[];
  readonly created: boolean;
}

/** Every channel contract of a set of AsyncAPI documents, with validators compiled once at load. */
export interface ContractSet {
  /**
   * The contract for a concrete channel name: an exact address match first, otherwise the most specific address
   * whose `{param}` placeholders match (each one segment of `A-Z a-z 0-9 _ - : @`). undefined = no contract.
   */
  channel(ch: string): ChannelContract | undefined;
  /** Every channel contract, in load order. */
  channels(): ChannelContract[];
  /**
   * Validates a message: undefined when valid (or when the channel has no contract), otherwise the violation.
   * An undeclared `type` gives one detail with rule `type` at path `""` listing the accepted types.
   */
  validate(ch: string, type: string, data: unknown): ViolationResult | undefined;
  /**
   * Validates `data` after in-place changes to a value of this type that was valid: the same result as
   * {@link validate} for such a value, found by checking only the changed places (and the objects that gained a
   * key) when the schemas above them hold only structural keywords (`type`, `properties`, `patternProperties`,
   * `additionalProperties`, `required`, `min/maxProperties`, `propertyNames`, `items`, `min/maxItems`,
   * annotations); otherwise by checking the whole value. Its cost then follows the depth of the changes, not the
   * size of the value.
   */
  validateChange(ch: string, type: string, data: unknown, changes: readonly ValueChange[]): ViolationResult | undefined;
  /** The AsyncAPI documents loaded, then every file they reference. */
  readonly sources: string[];
  /** Problems that do not stop loading (unknown formats, payloads accepted without validation). */
  readonly warnings: string[];
}

/** Options of {@link loadContracts} and {@link loadContractDocuments}. */
export interface LoadOptions {
  /** Reads a file reached through a relative `$ref` that is not among the given documents. Default: `fs.readFileSync` (UTF-8). */
  readFile?: (absPath: string) => string;
  /**
   * A payload whose `schemaFormat` is not JSON Schema (Avro, RAML, Protobuf…): `'error'` (default) refuses the
   * document; `'skip'` accepts the message type without checking its data and adds a warning.
   */
  unsupportedSchemaFormats?: 'error' | 'skip';
}

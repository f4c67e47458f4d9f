import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Dialect, JsonSchema } from './schema-bundle.js';

const addFormats = addFormatsModule.default;

type AnyAjv = Ajv | Ajv2019 | Ajv2020;

/**
 * One Ajv instance per JSON Schema dialect, made when first needed, for one contract set. Warnings Ajv logs
 * (unknown formats, ignored keywords) go to the `warn` function of the current call.
 */
export class SchemaEngines {
  private readonly ajvs = new Map<Dialect, AnyAjv>();
  /** Receives Ajv's warnings for the schema being compiled. */
  private sink: (message: string) => void = () => undefined;

  /** Problems of the schema itself (against the dialect's meta-schema); `[]` when it is valid. */
  schemaErrors(dialect: Dialect, schema: JsonSchema, warn: (message: string) => void): ErrorObject[] {
    const ajv = this.get(dialect);
    this.sink = warn;
    try {
      return ajv.validateSchema(schema) ? [] : [...(ajv.errors ?? [])];
    } finally {
      this.sink = () => undefined;
    }
  }

  /** Compiles a validator; throws Ajv's error when the schema cannot be compiled. */
  compile(dialect: Dialect, schema: JsonSchema, warn: (message: string) => void): ValidateFunction {
    this.sink = warn;
    try {
      return this.get(dialect).compile(schema);
    } finally {
      this.sink = () => undefined;
    }
  }

  private get(dialect: Dialect): AnyAjv {
    let ajv = this.ajvs.get(dialect);
    if (!ajv) {
      const sink = (...args: unknown[]): void => this.sink(args.map(String).join(' '));
      const opts: Options = { strict: false, allErrors: true, verbose: true, validateFormats: true, logger: { log: () => undefined, warn: sink, error: sink } };
      ajv = dialect === '2020-12' ? new Ajv2020(opts) : dialect === '2019-09' ? new Ajv2019(opts) : new Ajv(opts);
      addFormats(ajv as Ajv);
      this.ajvs.set(dialect, ajv);
    }
    return ajv;
  }
}

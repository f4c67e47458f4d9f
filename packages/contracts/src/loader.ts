import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { addressMatcher, parseAddress, specificity, type AddressShape } from './address.js';
import { ContractSetImpl, type ChannelEntry, type MessageEntry } from './contract-set.js';
import { SchemaEngines } from './engine.js';
import { EXTENSION_KEY, readExtension, type SwitchboardExtension } from './extension.js';
import { bundleSchema, defsKeyword, dialectOfSchema, formatRefusal, parseSchemaFormat, sameSchema, type Dialect, type JsonSchema } from './schema-bundle.js';
import { child, isObject, SourceRegistry, type Loc, type SourceFile } from './source-files.js';
import type { ContractSet, LoadOptions } from './types.js';

/** A message type as read, before its validator is compiled. */
interface ReadMessage {
  entry: Omit<MessageEntry, 'check'>;
  dialect?: Dialect;
  /** The place of the schema, for errors. */
  schemaLoc?: Loc;
  /** Bundle name → place of the copied schema, to place meta-schema errors. */
  defs?: Map<string, Loc>;
}

/** A channel while documents are merged into it. */
interface ChannelDraft {
  shape: AddressShape;
  id: string;
  file: string;
  description?: string;
  extensions: SwitchboardExtension;
  extensionLoc?: Loc;
  enums: Map<string, string[] | undefined>;
  declarations: Array<{ file: string; id: string; pointer: string }>;
  messages: Map<string, ReadMessage>;
}

/** Builds a {@link ContractSet} from document texts. See `loadContractDocuments` in index.ts. */
export function buildContractSet(docs: ReadonlyArray<{ file: string; text: string }>, options: LoadOptions = {}): ContractSet {
  const reg = new SourceRegistry(options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const given: SourceFile[] = [];
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(resolve(d.file))) continue;
    seen.add(resolve(d.file));
    given.push(reg.add(d.file, d.text));
  }
  const warnings: string[] = [];
  const drafts = new Map<string, ChannelDraft>();
  const documents: SourceFile[] = [];
  for (const src of given) {
    if (!isObject(src.value) || !('asyncapi' in src.value)) continue;
    checkVersion(reg, src);
    documents.push(src);
    readDocument(reg, src, drafts, warnings, options);
  }
  const engines = new SchemaEngines();
  const warn = (w: string): void => {
    if (!warnings.includes(w)) warnings.push(w);
  };
  const entries = [...drafts.values()].map((d) => finish(reg, engines, d, warn));
  const docNames = new Set(documents.map((d) => d.abs));
  const sources = [
    ...documents.map((d) => d.file),
    ...reg
      .files()
      .filter((f) => !docNames.has(f.abs) && reg.referenced(f))
      .map((f) => f.file),
  ];
  return new ContractSetImpl(entries, sources, warnings);
}

function checkVersion(reg: SourceRegistry, src: SourceFile): void {
  const v = (src.value as Record<string, unknown>).asyncapi;
  const at: Loc = { src, pointer: '/asyncapi' };
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text === 'string' && /^3\.\d+\.\d+$/.test(text)) return;
  if (typeof text === 'string' && /^[12]\./.test(text)) {
    reg.fail(
      at,
      `this is an AsyncAPI ${text} document; Switchboard reads AsyncAPI 3.x`,
      `convert it with "npx @asyncapi/cli convert ${src.file} --target-version=3.0.0" (see https://www.asyncapi.com/docs/migration/migrating-to-v3) and check the result`,
    );
  }
  reg.fail(at, `asyncapi is ${JSON.stringify(v)}, not an AsyncAPI 3 version`, "set asyncapi: '3.0.0' at the top of the document");
}

function readDocument(reg: SourceRegistry, src: SourceFile, drafts: Map<string, ChannelDraft>, warnings: string[], options: LoadOptions): void {
  const root = src.value as Record<string, unknown>;
  const rootLoc: Loc = { src, pointer: '' };
  const channelsLoc = child(rootLoc, 'channels');
  if (root.channels !== undefined && root.channels !== null && !isObject(root.channels)) {
    reg.fail(
      channelsLoc,
      'channels must be a mapping of channel ids to Channel Objects',
      'write channels as a mapping, e.g. channels: { ticks: { address: market.ticks, messages: {…} } }',
    );
  }
  for (const id of Object.keys((root.channels as Record<string, unknown> | null | undefined) ?? {})) {
    readChannel(reg, id, child(channelsLoc, id), drafts, warnings, options);
  }
  checkOperations(reg, rootLoc, root.operations);
}

function readChannel(reg: SourceRegistry, id: string, declLoc: Loc, drafts: Map<string, ChannelDraft>, warnings: string[], options: LoadOptions): void {
  const { loc, value: ch } = reg.deref(declLoc);
  if (!isObject(ch)) reg.fail(loc, `channel "${id}" is not a mapping`, 'write the channel as a Channel Object with address and messages');
  const rawAddress = ch.address;
  if (rawAddress !== undefined && rawAddress !== null && typeof rawAddress !== 'string') {
    reg.fail(
      child(loc, 'address'),
      `address of channel "${id}" is ${JSON.stringify(rawAddress)}`,
      'write the address as a string, e.g. market.ticks, or remove it to use the channel key',
    );
  }
  const address = typeof rawAddress === 'string' ? rawAddress : id;
  const shape = parseAddress(address);
  if ('problem' in shape) reg.fail(typeof rawAddress === 'string' ? child(loc, 'address') : loc, shape.problem, shape.fix);
  const enums = readParameters(reg, loc, ch.parameters, shape);
  const extLoc = child(loc, EXTENSION_KEY);
  const extensions = readExtension(reg, extLoc, ch[EXTENSION_KEY]);

  let draft = drafts.get(shape.key);
  if (!draft) {
    draft = { shape, id, file: loc.src.file, extensions, enums, declarations: [], messages: new Map() };
    if (Object.keys(extensions).length > 0) draft.extensionLoc = extLoc;
    drafts.set(shape.key, draft);
  } else {
    mergeExtensions(reg, draft, extensions, extLoc);
    for (const [name, values] of enums) {
      const key = draft.shape.params[shape.params.indexOf(name)]!;
      const before = draft.enums.get(key);
      draft.enums.set(key, before === undefined || values === undefined ? undefined : [...new Set([...before, ...values])]);
    }
  }
  draft.declarations.push({ file: loc.src.file, id, pointer: loc.pointer });
  if (draft.description === undefined && typeof ch.description === 'string' && ch.description.trim() !== '') draft.description = ch.description;

  const messagesLoc = child(loc, 'messages');
  if (ch.messages !== undefined && ch.messages !== null && !isObject(ch.messages)) {
    reg.fail(messagesLoc, `messages of channel "${id}" must be a mapping`, 'write messages as a mapping of message ids to Message Objects or $refs');
  }
  for (const msgId of Object.keys((ch.messages as Record<string, unknown> | null | undefined) ?? {})) {
    const msg = readMessage(reg, msgId, child(messagesLoc, msgId), warnings, options);
    addMessage(reg, draft, msg);
  }
}

function readParameters(reg: SourceRegistry, chLoc: Loc, params: unknown, shape: AddressShape): Map<string, string[] | undefined> {
  const enums = new Map<string, string[] | undefined>(shape.params.map((p) => [p, undefined]));
  if (params === undefined || params === null) return enums;
  const pLoc = child(chLoc, 'parameters');
  if (!isObject(params))
    reg.fail(
      pLoc,
      'parameters must be a mapping of parameter names to Parameter Objects',
      'write parameters as a mapping, e.g. parameters: { roomId: { description: … } }',
    );
  for (const name of Object.keys(params)) {
    const at = child(pLoc, name);
    if (!shape.params.includes(name)) {
      reg.fail(at, `parameter "${name}" does not appear in the address "${shape.address}"`, `add {${name}} to the address or remove the parameter`);
    }
    const { loc, value } = reg.deref(at);
    if (value === null || value === undefined) continue;
    if (!isObject(value)) reg.fail(loc, `parameter "${name}" is not a mapping`, 'write it as a Parameter Object, e.g. { description: …, enum: [a, b] }');
    if (value.enum !== undefined) {
      if (!Array.isArray(value.enum) || value.enum.length === 0 || !value.enum.every((v) => typeof v === 'string')) {
        reg.fail(
          child(loc, 'enum'),
          `enum of parameter "${name}" must be a non-empty list of strings`,
          'list the allowed values as strings, e.g. enum: [chatMessages, events]',
        );
      }
      enums.set(name, value.enum as string[]);
    }
  }
  return enums;
}

function mergeExtensions(reg: SourceRegistry, draft: ChannelDraft, ext: SwitchboardExtension, extLoc: Loc): void {
  if (Object.keys(ext).length === 0) return;
  if (!draft.extensionLoc) {
    draft.extensions = ext;
    draft.extensionLoc = extLoc;
    return;
  }
  if (JSON.stringify(ext) !== JSON.stringify(draft.extensions)) {
    const first = reg.place(draft.extensionLoc);
    reg.fail(
      extLoc,
      `${EXTENSION_KEY} of channel "${draft.shape.address}" differs from the one in ${first.file} at #${first.pointer}`,
      `write the same ${EXTENSION_KEY} in both documents, or keep it in one of them only`,
    );
  }
}

function readMessage(reg: SourceRegistry, msgId: string, declLoc: Loc, warnings: string[], options: LoadOptions): ReadMessage {
  const { loc, value: msg } = reg.deref(declLoc);
  if (!isObject(msg)) reg.fail(loc, `message "${msgId}" is not a mapping`, 'write it as a Message Object with name and payload, or a $ref to one');
  let type: unknown = msg.name;
  if (type === undefined && Array.isArray(msg.traits)) {
    for (let i = 0; i < msg.traits.length && type === undefined; i++) {
      const t = reg.deref(child(child(loc, 'traits'), i)).value;
      if (isObject(t) && t.name !== undefined) type = t.name;
    }
  }
  if (type === undefined || type === null) type = msgId;
  if (typeof type !== 'string' || type === '')
    reg.fail(
      child(loc, 'name'),
      `name of message "${msgId}" is ${JSON.stringify(type)}`,
      'set name to the message type as a non-empty string, e.g. name: tick',
    );
  const base = {
    type,
    id: msgId,
    file: loc.src.file,
    pointer: loc.pointer,
    ...(typeof msg.summary === 'string' ? { summary: msg.summary } : {}),
    ...(typeof msg.description === 'string' ? { description: msg.description } : {}),
  };
  if (msg.payload === undefined || msg.payload === null)
    return { entry: { ...base, schemaFormat: parseSchemaFormat(undefined).text, validated: false, payloadLoc: loc } };

  const payloadLoc = child(loc, 'payload');
  const { loc: pLoc, value: payload } = reg.deref(payloadLoc);
  let schemaLoc = payloadLoc;
  let format = parseSchemaFormat(undefined);
  if (isObject(payload) && 'schemaFormat' in payload) {
    if (typeof payload.schemaFormat !== 'string')
      reg.fail(child(pLoc, 'schemaFormat'), 'schemaFormat must be a string', 'write it as a media type, e.g. application/schema+json;version=draft-07');
    if (!('schema' in payload)) reg.fail(pLoc, 'the payload has schemaFormat but no schema', 'put the payload schema under schema: next to schemaFormat');
    format = parseSchemaFormat(payload.schemaFormat);
    schemaLoc = child(pLoc, 'schema');
  }
  let dialect = format.dialect;
  if (dialect === undefined || format.refusal) {
    const { problem, fix } = formatRefusal(format);
    if (options.unsupportedSchemaFormats === 'skip' && !format.refusal) {
      const at = reg.place(pLoc);
      warnings.push(`${at.file} at #${at.pointer}: ${problem}; messages of type "${type}" are accepted without checking their data`);
      return { entry: { ...base, schemaFormat: format.text, validated: false, payloadLoc: pLoc } };
    }
    reg.fail(
      child(pLoc, 'schemaFormat'),
      problem,
      `${fix}${format.refusal ? '' : " (or load the contracts with unsupportedSchemaFormats: 'skip' to accept these messages unchecked)"}`,
    );
  }
  if (!('schemaFormat' in (isObject(payload) ? payload : {}))) {
    const own = dialectOfSchema(reg.deref(schemaLoc).value);
    if (own === 'draft-04')
      reg.fail(
        child(schemaLoc, '$schema'),
        'JSON Schema draft-04 is not supported',
        'use draft-07: change $schema, boolean exclusiveMinimum/exclusiveMaximum to numbers and id to $id',
      );
    if (own !== undefined) dialect = own;
  }
  const defs = new Map<string, Loc>();
  const schema = bundleSchema(reg, schemaLoc, dialect, defs);
  const definitionSources: Record<string, { file: string; pointer: string }> = {};
  for (const [name, at] of defs) definitionSources[name] = { file: at.src.file, pointer: at.pointer };
  return { entry: { ...base, schemaFormat: format.text, schema, definitionSources, validated: true, payloadLoc: schemaLoc }, dialect, schemaLoc, defs };
}

function addMessage(reg: SourceRegistry, draft: ChannelDraft, msg: ReadMessage): void {
  const prev = draft.messages.get(msg.entry.type);
  if (!prev) {
    draft.messages.set(msg.entry.type, msg);
    return;
  }
  const same =
    prev.entry.validated === msg.entry.validated &&
    prev.dialect === msg.dialect &&
    (prev.entry.schema === undefined ? msg.entry.schema === undefined : msg.entry.schema !== undefined && sameSchema(prev.entry.schema, msg.entry.schema)) &&
    (prev.entry.validated || prev.entry.schemaFormat === msg.entry.schemaFormat);
  if (same) return;
  const first = reg.place(prev.entry.payloadLoc);
  reg.fail(
    msg.entry.payloadLoc,
    `message type "${msg.entry.type}" of channel "${draft.shape.address}" has a different payload schema here than in ${first.file}${first.line !== undefined ? `:${first.line}` : ''} at #${first.pointer}`,
    `make the two payload schemas identical (best: $ref one shared schema from both), or give one of the messages another name`,
  );
}

function checkOperations(reg: SourceRegistry, rootLoc: Loc, operations: unknown): void {
  if (!isObject(operations)) return;
  const opsLoc = child(rootLoc, 'operations');
  const checkRef = (holder: unknown, at: Loc): void => {
    if (isObject(holder) && typeof holder.$ref === 'string') reg.resolveRef(holder.$ref, child(at, '$ref'));
  };
  for (const name of Object.keys(operations)) {
    const { loc, value: op } = reg.deref(child(opsLoc, name));
    if (!isObject(op)) continue;
    checkRef(op.channel, child(loc, 'channel'));
    if (Array.isArray(op.messages)) op.messages.forEach((m, i) => checkRef(m, child(child(loc, 'messages'), i)));
    if (isObject(op.reply)) {
      const rLoc = child(loc, 'reply');
      checkRef(op.reply.channel, child(rLoc, 'channel'));
      if (Array.isArray(op.reply.messages)) op.reply.messages.forEach((m, i) => checkRef(m, child(child(rLoc, 'messages'), i)));
    }
  }
}

/** Compiles the validators of a merged channel (once per message type) and freezes its contract. */
function finish(reg: SourceRegistry, engines: SchemaEngines, draft: ChannelDraft, warn: (message: string) => void): ChannelEntry {
  const messages = new Map<string, MessageEntry>();
  for (const [type, m] of draft.messages) {
    let check: ValidateFunction | undefined;
    if (m.entry.validated && m.entry.schema !== undefined && m.dialect && m.schemaLoc) {
      check = compile(reg, engines, m.entry.schema, m.dialect, m.schemaLoc, m.defs ?? new Map(), warn);
    }
    const dialect = m.dialect;
    const parts = check && dialect ? { check, compile: (schema: JsonSchema) => engines.compile(dialect, schema, () => undefined) } : {};
    messages.set(type, { ...m.entry, ...parts });
  }
  const enums = new Map<string, readonly string[]>();
  for (const [k, v] of draft.enums) if (v) enums.set(k, v);
  return {
    shape: draft.shape,
    matcher: draft.shape.params.length > 0 ? addressMatcher(draft.shape, enums) : undefined,
    specificity: specificity(draft.shape),
    id: draft.id,
    file: draft.file,
    extensions: draft.extensions,
    declarations: draft.declarations,
    messages,
    ...(draft.description !== undefined ? { description: draft.description } : {}),
  };
}

function compile(
  reg: SourceRegistry,
  engines: SchemaEngines,
  schema: JsonSchema,
  dialect: Dialect,
  schemaLoc: Loc,
  defs: Map<string, Loc>,
  warn: (message: string) => void,
): ValidateFunction {
  const prefix = new RegExp(`/${defsKeyword(dialect).replace('$', '\\$')}/(s\\d+)`);
  /** The source place of a pointer into the bundle. */
  const sourceOf = (bundlePointer: string): Loc => {
    const m = prefix.exec(bundlePointer);
    const base = m ? defs.get(m[1]!) : undefined;
    return base ? { src: base.src, pointer: base.pointer + safeDecode(bundlePointer.slice(m!.index + m![0].length)) } : schemaLoc;
  };
  const placed = (w: string): void => {
    const m = /schema at path "#([^"]*)"/.exec(w);
    const at = reg.place(m ? sourceOf(m[1]!) : schemaLoc);
    warn(`${at.file}${at.line !== undefined ? `:${at.line}` : ''} at #${at.pointer}: ${w.replace(/ in schema at path "[^"]*"/, '')}`);
  };
  const problems = engines.schemaErrors(dialect, schema, placed);
  if (problems.length > 0) {
    const e = problems[0]!;
    const at = sourceOf(e.instancePath);
    const keyword = at.pointer.split('/').pop() ?? '';
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    reg.fail(
      at,
      `the payload schema is invalid: "${keyword}" ${e.message ?? 'is invalid'}${allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : ''}`,
      `correct "${keyword}" so the schema is valid JSON Schema ${dialect}`,
    );
  }
  try {
    return engines.compile(dialect, schema, placed);
  } catch (err) {
    reg.fail(
      schemaLoc,
      `the payload schema does not compile: ${(err as Error).message}`,
      'correct the schema keyword named in the message (regular expressions must be valid with the u flag)',
      err,
    );
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

import type { ValidateFunction } from 'ajv';
import type { AddressShape } from './address.js';
import type { SwitchboardExtension } from './extension.js';
import type { Loc } from './source-files.js';
import type { ChannelContract, ChannelDeclaration, ContractSet, MessageContract } from './types.js';
import { ChangeChecker, type CompileWithDefs } from './change-check.js';
import type { ValueChange } from './types.js';
import { payloadViolation, unknownTypeViolation, type ViolationResult } from './violations.js';

/** A message type with its compiled validator (absent when the data is not checked). */
export interface MessageEntry extends MessageContract {
  payloadLoc: Loc;
  check?: ValidateFunction;
  /** Compiles another schema with the same Ajv instance, for checks of the bundle's parts. Present with `check`. */
  compile?: CompileWithDefs;
}

/** A merged channel, ready for lookups. */
export interface ChannelEntry {
  shape: AddressShape;
  /** Present when the address has `{param}` placeholders. */
  matcher?: RegExp;
  specificity: number;
  id: string;
  file: string;
  description?: string;
  extensions: SwitchboardExtension;
  declarations: ChannelDeclaration[];
  messages: Map<string, MessageEntry>;
}

interface Ready {
  contract: ChannelContract;
  matcher?: RegExp;
  checks: Map<string, ValidateFunction | undefined>;
  compilers: Map<string, CompileWithDefs>;
  /** Made on the first `validateChange` of a type. */
  changeCheckers: Map<string, ChangeChecker>;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The {@link ContractSet} built by the loader. Immutable once made. */
export class ContractSetImpl implements ContractSet {
  readonly sources: string[];
  readonly warnings: string[];
  private readonly all: Ready[];
  private readonly exact = new Map<string, Ready>();
  /** Parameterised addresses, most specific first. */
  private readonly templates: Ready[];

  constructor(entries: ChannelEntry[], sources: string[], warnings: string[]) {
    this.sources = Object.freeze([...sources]) as string[];
    this.warnings = Object.freeze([...warnings]) as string[];
    this.all = entries.map(ready);
    const templates: Array<{ r: Ready; specificity: number; order: number }> = [];
    entries.forEach((e, i) => {
      const r = this.all[i]!;
      if (r.matcher) templates.push({ r, specificity: e.specificity, order: i });
      else this.exact.set(e.shape.address, r);
    });
    this.templates = templates.sort((a, b) => b.specificity - a.specificity || a.order - b.order).map((t) => t.r);
  }

  channel(ch: string): ChannelContract | undefined {
    return this.find(ch)?.contract;
  }

  channels(): ChannelContract[] {
    return this.all.map((r) => r.contract);
  }

  validate(ch: string, type: string, data: unknown): ViolationResult | undefined {
    const r = this.find(ch);
    if (!r) return undefined;
    if (!r.checks.has(type)) return unknownTypeViolation(ch, type, r.contract.messageTypes);
    const check = r.checks.get(type);
    if (!check || check(data)) return undefined;
    return payloadViolation(ch, type, check.errors ?? []);
  }

  validateChange(ch: string, type: string, data: unknown, changes: readonly ValueChange[]): ViolationResult | undefined {
    const r = this.find(ch);
    const check = r?.checks.get(type);
    const compile = r?.compilers.get(type);
    if (!r || !check || !compile || typeof check.schema !== 'object') return this.validate(ch, type, data);
    let checker = r.changeCheckers.get(type);
    if (!checker) {
      checker = new ChangeChecker(check.schema as Record<string, unknown>, compile);
      r.changeCheckers.set(type, checker);
    }
    const errors = checker.errors(data, changes);
    if (errors === undefined) return this.validate(ch, type, data);
    return errors.length === 0 ? undefined : payloadViolation(ch, type, errors);
  }

  private find(ch: string): Ready | undefined {
    const hit = this.exact.get(ch);
    if (hit) return hit;
    for (const t of this.templates) if (t.matcher!.test(ch)) return t;
    return undefined;
  }
}

function ready(e: ChannelEntry): Ready {
  const messages = new Map<string, MessageContract>();
  const checks = new Map<string, ValidateFunction | undefined>();
  const compilers = new Map<string, CompileWithDefs>();
  for (const [type, m] of e.messages) {
    const { payloadLoc: _loc, check, compile, ...pub } = m;
    messages.set(type, deepFreeze(pub));
    checks.set(type, check);
    if (compile) compilers.set(type, compile);
  }
  const contract: ChannelContract = Object.freeze({
    address: e.shape.address,
    id: e.id,
    file: e.file,
    messageTypes: Object.freeze([...messages.keys()]) as string[],
    extensions: deepFreeze(structuredClone(e.extensions)),
    ...(e.description !== undefined ? { description: e.description } : {}),
    parameters: Object.freeze([...e.shape.params]) as string[],
    declarations: Object.freeze(e.declarations.map((d) => Object.freeze({ ...d }))) as ChannelDeclaration[],
    message: (type: string) => messages.get(type),
  });
  return { contract, checks, compilers, changeCheckers: new Map(), ...(e.matcher ? { matcher: e.matcher } : {}) };
}

/** A set with no contracts: every channel is open, `validate` always passes. */
export function emptyContractSet(): ContractSet {
  return new ContractSetImpl([], [], []);
}

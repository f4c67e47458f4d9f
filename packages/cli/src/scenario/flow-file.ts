import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { isErrorCode, ERROR_CODE_LIST, type ErrorCode } from '@switchboard/protocol';
import { FlowFileError, ProblemList } from './flow-errors.js';
import {
  COUNT_METRICS,
  LATENCY_METRICS,
  type ComponentSpec,
  type CountMetric,
  type Flow,
  type LatencyMetric,
  type ReplySpec,
  type StepKind,
  type StepSpec,
  type TargetSpec,
} from './flow-types.js';

const TOP_KEYS = ['name', 'description', 'contracts', 'hub', 'components', 'steps', 'targets'];
const COMPONENT_KEYS = ['name', 'token', 'dev', 'replies', 'run', 'cwd', 'env', 'ready_line', 'ready_delay_ms', 'ready_timeout_ms', 'start'];
const STEP_KINDS: StepKind[] = ['publish', 'expect', 'request', 'http', 'wait', 'start', 'await'];
const STEP_KEYS = ['id', 'repeat', 'description', ...STEP_KINDS];
const KIND_KEYS: Record<StepKind, string[]> = {
  publish: ['component', 'channel', 'type', 'data', 'msg_id', 'meta', 'expect_error'],
  expect: ['component', 'channel', 'group', 'from', 'type', 'source', 'data', 'meta', 'within_ms'],
  request: ['component', 'to', 'type', 'data', 'timeout_ms', 'expect_reply', 'expect_error'],
  http: ['method', 'path', 'component', 'headers', 'body', 'expect_status', 'expect_body'],
  wait: ['ms'],
  start: ['program'],
  await: ['program', 'exit_code', 'summary', 'timeout_ms'],
};
const TARGET_KEYS = ['step', 'metric', 'below_ms', 'at_least', 'at_most', 'channel', 'program', 'value', 'below', 'unless_load_per_cpu_above'];
const VALUE_RE = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
const NAME_RE = /^[A-Za-z0-9_.:@/-]{1,128}$/;
const ID_RE = /^[A-Za-z0-9_.-]{1,100}$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const MAX_REPEAT = 100_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a flow file; throws {@link FlowFileError} listing every problem (file, line, part, fix). */
export function loadFlowFile(file: string, env: NodeJS.ProcessEnv = process.env): Flow {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowFileError([
      { file, where: 'file', problem: `cannot read the flow file (${(err as Error).message})`, fix: 'check the path given to scenario run' },
    ]);
  }
  return parseFlow(file, text, env);
}

/** Validates the text of a flow file; `file` names it in problems and anchors its relative paths. */
export function parseFlow(file: string, text: string, env: NodeJS.ProcessEnv = process.env): Flow {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new FlowFileError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          where: 'YAML',
          problem: `not valid YAML: ${e.message.split('\n')[0]}`,
          fix: 'correct the YAML syntax at this place',
        };
      }),
    );
  }
  const problems = new ProblemList(file, doc, lines);
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // an alias without its anchor, or too many aliases (a "billion laughs" document)
    problems.add([], 'YAML', `not valid YAML: ${(err as Error).message}`, 'define each anchor (&name) before its alias (*name), and use few aliases');
    throw new FlowFileError(problems.items);
  }
  if (!isObj(root)) {
    problems.add([], 'file', 'a flow file must be a YAML mapping', 'start from docs/guides/scenarios.md: a mapping with components, steps and targets');
    throw new FlowFileError(problems.items);
  }
  const dir = dirname(resolve(file));
  const v = new FlowValidator(problems, root, dir, env);
  const flow = v.flow(file, basename(file, extname(file)));
  if (problems.items.length > 0) throw new FlowFileError(problems.items);
  return flow;
}

class FlowValidator {
  private componentNames = new Set<string>();
  private sdkNames = new Set<string>();
  private processNames = new Set<string>();
  private manualNames = new Set<string>();
  private stepIds = new Set<string>();
  private startedByStep = new Set<string>();

  constructor(
    private readonly p: ProblemList,
    private readonly root: Obj,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  flow(file: string, defaultName: string): Flow {
    const { root } = this;
    this.unknownKeys([], root, TOP_KEYS, 'flow');
    const name = this.optString([], root, 'name', 'flow') ?? defaultName;
    const description = this.optString([], root, 'description', 'flow');
    const contracts = this.optString([], root, 'contracts', 'flow');
    const hub = this.hub();
    const components = this.components();
    const steps = this.steps();
    const targets = this.targets();
    const flow: Flow = { file, dir: this.dir, name, hub, components, steps, targets };
    if (description !== undefined) flow.description = description;
    if (contracts !== undefined) flow.contractsDir = resolve(this.dir, contracts);
    return flow;
  }

  private hub(): Flow['hub'] {
    const raw = this.root.hub;
    if (raw === undefined) return {};
    if (!isObj(raw)) {
      this.p.add(['hub'], 'hub', 'hub must be a mapping', 'write hub: { config: switchboard.yaml, token_secret: ${SECRET} } or remove it');
      return {};
    }
    this.unknownKeys(['hub'], raw, ['config', 'token_secret'], 'hub');
    const out: Flow['hub'] = {};
    const config = this.optString(['hub'], raw, 'config', 'hub');
    if (config !== undefined) out.configFile = resolve(this.dir, config);
    const secret = this.optString(['hub'], raw, 'token_secret', 'hub');
    if (secret !== undefined) out.tokenSecret = this.expand(['hub', 'token_secret'], 'hub', secret);
    return out;
  }

  private components(): ComponentSpec[] {
    const raw = this.root.components;
    if (!Array.isArray(raw) || raw.length === 0) {
      this.p.add(
        ['components'],
        'components',
        raw === undefined ? 'components is missing' : 'components must be a non-empty list',
        'list the components, e.g. components: [{ name: data-bridge }, { name: core-engine }]',
      );
      return [];
    }
    const out: ComponentSpec[] = [];
    raw.forEach((c, i) => {
      const path = ['components', i];
      const where = isObj(c) && typeof c.name === 'string' ? `component "${c.name}"` : `components[${i}]`;
      if (!isObj(c)) {
        this.p.add(path, where, 'a component must be a mapping', 'write { name: <component id> } with token, replies or run as needed');
        return;
      }
      this.unknownKeys(path, c, COMPONENT_KEYS, where);
      const name = this.reqString(path, c, 'name', where, 'give the component id it connects as, e.g. name: data-bridge');
      if (name === undefined) return;
      if (!NAME_RE.test(name)) this.p.add([...path, 'name'], where, `"${name}" is not a valid component id`, 'use 1–128 characters of A-Z a-z 0-9 _ . - : @ /');
      if (this.componentNames.has(name))
        this.p.add([...path, 'name'], where, `the component "${name}" is listed twice`, 'give each component a different name');
      this.componentNames.add(name);
      if (c.run !== undefined) {
        out.push(this.processComponent(path, where, name, c));
        return;
      }
      for (const key of ['cwd', 'env', 'ready_line', 'ready_delay_ms', 'ready_timeout_ms', 'start']) {
        if (c[key] !== undefined) this.p.add([...path, key], where, `${key} only applies to a component with run`, `add run: "<command>" or remove ${key}`);
      }
      const token = this.optString(path, c, 'token', where);
      if (token !== undefined && c.dev === true)
        this.p.add(
          [...path, 'dev'],
          where,
          'a component has either a token or dev: true, not both',
          'remove dev: true (the token names the component) or the token',
        );
      if (c.dev !== undefined && typeof c.dev !== 'boolean') this.p.add([...path, 'dev'], where, 'dev must be true or false', 'write dev: true, or remove it');
      this.sdkNames.add(name);
      out.push({
        kind: 'sdk',
        name,
        ...(token !== undefined ? { token: this.expand([...path, 'token'], where, token) } : {}),
        replies: this.replies(path, where, c.replies),
      });
    });
    return out;
  }

  private processComponent(path: (string | number)[], where: string, name: string, c: Obj): ComponentSpec {
    const run = this.reqString(path, c, 'run', where, 'give the command to start, e.g. run: "python3 bridge.py"') ?? '';
    for (const key of ['token', 'dev', 'replies']) {
      if (c[key] !== undefined)
        this.p.add(
          [...path, key],
          where,
          `${key} does not apply to a component with run (the program connects by itself)`,
          `remove ${key}; pass what the program needs through env`,
        );
    }
    const cwd = resolve(this.dir, this.optString(path, c, 'cwd', where) ?? '.');
    const env: Record<string, string> = {};
    if (c.env !== undefined) {
      if (!isObj(c.env)) this.p.add([...path, 'env'], where, 'env must be a mapping of names to values', 'write env: { NAME: value }');
      else
        for (const [k, val] of Object.entries(c.env)) {
          if (typeof val === 'object' && val !== null)
            this.p.add([...path, 'env', k], where, `env ${k} must be a string, number or boolean`, 'quote the value');
          else env[k] = this.expand([...path, 'env', k], where, String(val));
        }
    }
    this.processNames.add(name);
    let start: 'at-start' | 'manual' = 'at-start';
    if (c.start !== undefined) {
      if (c.start === 'manual' || c.start === 'at-start') start = c.start;
      else
        this.p.add(
          [...path, 'start'],
          where,
          `start must be at-start or manual, not ${JSON.stringify(c.start)}`,
          'write start: manual to start it with a start step, or remove start',
        );
    }
    if (start === 'manual') this.manualNames.add(name);
    const comp: ComponentSpec = {
      kind: 'process',
      name,
      run,
      cwd,
      env,
      start,
      readyDelayMs: this.optInt(path, c, 'ready_delay_ms', where, 0, 600_000) ?? 0,
      readyTimeoutMs: this.optInt(path, c, 'ready_timeout_ms', where, 1, 600_000) ?? 15_000,
    };
    const line = this.optString(path, c, 'ready_line', where);
    if (line !== undefined) {
      try {
        comp.readyLine = new RegExp(line);
      } catch (err) {
        this.p.add(
          [...path, 'ready_line'],
          where,
          `ready_line is not a valid regular expression (${(err as Error).message})`,
          'write a JavaScript regular expression, e.g. ready_line: "^ready"',
        );
      }
    }
    return comp;
  }

  private replies(path: (string | number)[], where: string, raw: unknown): Record<string, ReplySpec> {
    const out: Record<string, ReplySpec> = {};
    if (raw === undefined) return out;
    const at = [...path, 'replies'];
    const fix = 'map each request type to echo, { data: <reply> } or { error: { code: UNAVAILABLE, message: "…" } }';
    if (!isObj(raw)) {
      this.p.add(at, where, 'replies must be a mapping of request types', fix);
      return out;
    }
    for (const [type, r] of Object.entries(raw)) {
      if (r === 'echo') out[type] = { kind: 'echo' };
      else if (isObj(r) && 'data' in r && Object.keys(r).length === 1) out[type] = { kind: 'data', data: r.data };
      else if (isObj(r) && isObj(r.error) && Object.keys(r).length === 1) {
        const code = r.error.code;
        if (!isErrorCode(code))
          this.p.add(
            [...at, type, 'error', 'code'],
            where,
            `reply error code ${JSON.stringify(code)} is not a protocol error code`,
            `use one of ${ERROR_CODE_LIST.join(', ')}`,
          );
        else out[type] = { kind: 'error', code, message: typeof r.error.message === 'string' ? r.error.message : `${type} refused by the scenario` };
      } else this.p.add([...at, type], where, `the reply to "${type}" is not understood`, fix);
    }
    return out;
  }

  private steps(): StepSpec[] {
    const raw = this.root.steps;
    if (!Array.isArray(raw) || raw.length === 0) {
      this.p.add(
        ['steps'],
        'steps',
        raw === undefined ? 'steps is missing' : 'steps must be a non-empty list',
        'list the steps, e.g. steps: [{ publish: { component: a, channel: c, type: t, data: {} } }]',
      );
      return [];
    }
    const out: StepSpec[] = [];
    raw.forEach((s, i) => {
      const step = this.step(s, i);
      if (step) out.push(step);
    });
    for (const name of this.manualNames) {
      if (!this.startedByStep.has(name))
        this.p.add(['steps'], 'steps', `the program "${name}" has start: manual but no step starts it`, `add a step - start: ${name}`);
    }
    return out;
  }

  private step(s: unknown, i: number): StepSpec | undefined {
    const path = ['steps', i];
    const index = i + 1;
    if (!isObj(s)) {
      this.p.add(path, `step ${index}`, 'a step must be a mapping', `write one of ${STEP_KINDS.join(', ')} as its key, e.g. - wait: 100`);
      return undefined;
    }
    const kinds = STEP_KINDS.filter((k) => k in s);
    const label = typeof s.id === 'string' ? `step ${index} "${s.id}"` : `step ${index}`;
    if (kinds.length !== 1) {
      this.p.add(
        path,
        label,
        kinds.length === 0 ? 'the step has no kind' : `the step has several kinds (${kinds.join(', ')})`,
        `give it exactly one of ${STEP_KINDS.join(', ')}; split it into several steps if needed`,
      );
      return undefined;
    }
    const kind = kinds[0]!;
    const where = `${label} (${kind})`;
    this.unknownKeys(path, s, STEP_KEYS, where);
    let id = `${kind}-${index}`;
    if (s.id !== undefined) {
      if (typeof s.id !== 'string' || !ID_RE.test(s.id))
        this.p.add([...path, 'id'], where, `id ${JSON.stringify(s.id)} is not valid`, 'use 1–100 characters of A-Z a-z 0-9 _ . -');
      else id = s.id;
    }
    if (this.stepIds.has(id)) this.p.add([...path, 'id'], where, `the step id "${id}" is used twice`, 'give each step a different id');
    this.stepIds.add(id);
    const repeat = this.optInt(path, s, 'repeat', where, 1, MAX_REPEAT) ?? 1;
    const description = this.optString(path, s, 'description', where);
    const base = { id, index, repeat, ...(description !== undefined ? { description } : {}) };
    const bp = [...path, kind];
    if (kind === 'wait') {
      const w = s.wait;
      const ms = isObj(w) ? w.ms : w;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 600_000) {
        this.p.add(
          bp,
          where,
          `wait must be a whole number of milliseconds from 0 to 600000, not ${JSON.stringify(ms)}`,
          'write wait: 100 (or wait: { ms: 100 })',
        );
        return undefined;
      }
      if (isObj(w)) this.unknownKeys(bp, w, KIND_KEYS.wait, where);
      return { kind, ...base, ms };
    }
    if (kind === 'start' || kind === 'await') {
      const raw = s[kind];
      const b = typeof raw === 'string' ? { program: raw } : raw;
      if (!isObj(b)) {
        this.p.add(
          bp,
          where,
          `${kind} must name a program component`,
          `write ${kind}: <component with run> or ${kind}: { program: <name>${kind === 'await' ? ', exit_code: 0, summary: { … }' : ''} }`,
        );
        return undefined;
      }
      this.unknownKeys(bp, b, KIND_KEYS[kind], where);
      const program =
        this.reqString(bp, b, 'program', where, `name a component with run, one of ${[...this.processNames].join(', ') || '(none listed)'}`) ?? '';
      if (program !== '' && !this.processNames.has(program)) {
        const why = this.componentNames.has(program)
          ? `"${program}" is connected by the runner (no run), not a program`
          : `"${program}" is not a component of this flow`;
        this.p.add(
          typeof raw === 'string' ? bp : [...bp, 'program'],
          where,
          why,
          `use one of ${[...this.processNames].join(', ') || '(none listed)'} or add it under components with run`,
        );
      }
      if (kind === 'start') {
        if (program !== '' && this.processNames.has(program) && !this.manualNames.has(program)) {
          this.p.add(
            bp,
            where,
            `"${program}" starts with the flow; a start step needs start: manual on the component`,
            `add start: manual to the component "${program}", or remove this step`,
          );
        }
        if (this.startedByStep.has(program)) this.p.add(bp, where, `"${program}" is started twice`, 'start each program once');
        this.startedByStep.add(program);
        return { kind, ...base, program };
      }
      const exitCode = this.optInt(bp, b, 'exit_code', where, 0, 255) ?? 0;
      const timeoutMs = this.optInt(bp, b, 'timeout_ms', where, 1, 600_000) ?? 30_000;
      return { kind, ...base, program, exitCode, timeoutMs, ...(b.summary !== undefined ? { summary: b.summary } : {}) };
    }
    const b = s[kind];
    if (!isObj(b)) {
      this.p.add(
        bp,
        where,
        `${kind} must be a mapping`,
        `write ${kind}: { ${KIND_KEYS[kind]
          .slice(0, 3)
          .map((k) => `${k}: …`)
          .join(', ')} }`,
      );
      return undefined;
    }
    this.unknownKeys(bp, b, KIND_KEYS[kind], where);
    switch (kind) {
      case 'publish': {
        const component = this.sdkComponent(bp, b, where);
        const channel = this.reqString(bp, b, 'channel', where, 'name the channel, e.g. channel: market.ticks');
        const type = this.reqString(bp, b, 'type', where, 'name the message type, e.g. type: tick');
        const msgId = this.optString(bp, b, 'msg_id', where);
        if (b.meta !== undefined && !isObj(b.meta))
          this.p.add([...bp, 'meta'], where, 'meta must be a mapping', 'write meta: { correlation_id: … } or remove it');
        const expectError = this.errorCode(bp, b, where);
        return {
          kind,
          ...base,
          component: component ?? '',
          channel: channel ?? '',
          type: type ?? '',
          data: b.data ?? null,
          ...(msgId !== undefined ? { msgId } : {}),
          ...(isObj(b.meta) ? { meta: b.meta } : {}),
          ...(expectError ? { expectError } : {}),
        };
      }
      case 'expect': {
        const component = this.sdkComponent(bp, b, where);
        const channel = this.reqString(bp, b, 'channel', where, 'name the channel, e.g. channel: market.ticks');
        const group = this.optString(bp, b, 'group', where);
        const type = this.optString(bp, b, 'type', where);
        const source = this.optString(bp, b, 'source', where);
        let from: 'latest' | 'earliest' | number = 'latest';
        if (b.from !== undefined) {
          if (b.from === 'latest' || b.from === 'earliest' || (typeof b.from === 'number' && Number.isInteger(b.from) && b.from >= 0)) from = b.from;
          else
            this.p.add(
              [...bp, 'from'],
              where,
              `from must be latest, earliest or a seq, not ${JSON.stringify(b.from)}`,
              'write from: earliest to also see messages published before the run',
            );
        }
        const withinMs = this.optInt(bp, b, 'within_ms', where, 1, 600_000) ?? 5_000;
        return {
          kind,
          ...base,
          component: component ?? '',
          channel: channel ?? '',
          from,
          withinMs,
          ...(group !== undefined ? { group } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(source !== undefined ? { source } : {}),
          ...(b.data !== undefined ? { data: b.data } : {}),
          ...(b.meta !== undefined ? { meta: b.meta } : {}),
        };
      }
      case 'request': {
        const component = this.sdkComponent(bp, b, where);
        const to = this.reqString(bp, b, 'to', where, 'name the component that replies, e.g. to: pricer');
        const type = this.reqString(bp, b, 'type', where, 'name the request type, e.g. type: quote.request');
        const timeoutMs = this.optInt(bp, b, 'timeout_ms', where, 1, 300_000) ?? 2_000;
        const expectError = this.errorCode(bp, b, where);
        if (expectError && b.expect_reply !== undefined)
          this.p.add([...bp, 'expect_reply'], where, 'a request expects either a reply or an error', 'keep expect_reply or expect_error, not both');
        return {
          kind,
          ...base,
          component: component ?? '',
          to: to ?? '',
          type: type ?? '',
          data: b.data ?? null,
          timeoutMs,
          ...(b.expect_reply !== undefined ? { expectReply: b.expect_reply } : {}),
          ...(expectError ? { expectError } : {}),
        };
      }
      case 'http': {
        const method = (this.optString(bp, b, 'method', where) ?? 'GET').toUpperCase();
        if (!METHODS.includes(method)) this.p.add([...bp, 'method'], where, `method "${method}" is not supported`, `use one of ${METHODS.join(', ')}`);
        const path2 = this.reqString(bp, b, 'path', where, 'give the path on the hub, e.g. path: /healthz');
        if (path2 !== undefined && !path2.startsWith('/'))
          this.p.add([...bp, 'path'], where, `path "${path2}" does not start with /`, 'write the path on the hub, e.g. /v1/channels/market.ticks/messages');
        const component = this.optString(bp, b, 'component', where);
        if (component !== undefined && !this.componentNames.has(component)) {
          this.p.add(
            [...bp, 'component'],
            where,
            `"${component}" is not a component of this flow`,
            `use one of ${[...this.componentNames].join(', ') || '(none listed)'} or add it under components`,
          );
        }
        const headers: Record<string, string> = {};
        if (b.headers !== undefined) {
          if (!isObj(b.headers)) this.p.add([...bp, 'headers'], where, 'headers must be a mapping', 'write headers: { x-name: value }');
          else for (const [k, val] of Object.entries(b.headers)) headers[k] = this.expand([...bp, 'headers', k], where, String(val));
        }
        let expectStatus: number | undefined;
        if (b.expect_status !== undefined) {
          if (typeof b.expect_status !== 'number' || !Number.isInteger(b.expect_status) || b.expect_status < 100 || b.expect_status > 599) {
            this.p.add(
              [...bp, 'expect_status'],
              where,
              `expect_status must be an HTTP status (100–599), not ${JSON.stringify(b.expect_status)}`,
              'write expect_status: 201',
            );
          } else expectStatus = b.expect_status;
        }
        return {
          kind,
          ...base,
          method,
          path: path2 ?? '/',
          headers,
          ...(component !== undefined ? { component } : {}),
          ...(b.body !== undefined ? { body: b.body } : {}),
          ...(expectStatus !== undefined ? { expectStatus } : {}),
          ...(b.expect_body !== undefined ? { expectBody: b.expect_body } : {}),
        };
      }
    }
  }

  private targets(): TargetSpec[] {
    const raw = this.root.targets;
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.p.add(['targets'], 'targets', 'targets must be a list', 'write targets: [{ step: <step id>, metric: p95, below_ms: 25 }]');
      return [];
    }
    const out: TargetSpec[] = [];
    raw.forEach((t, i) => {
      const path = ['targets', i];
      const index = i + 1;
      const where = `target ${index}`;
      if (!isObj(t)) {
        this.p.add(path, where, 'a target must be a mapping', 'write { step: <step id>, metric: p95, below_ms: 25 } or { metric: errors, at_most: 0 }');
        return;
      }
      this.unknownKeys(path, t, TARGET_KEYS, where);
      const load = t.unless_load_per_cpu_above;
      let unless: { unlessLoadPerCpuAbove?: number } = {};
      if (load !== undefined) {
        if (typeof load !== 'number' || !(load > 0))
          this.p.add(
            [...path, 'unless_load_per_cpu_above'],
            where,
            `unless_load_per_cpu_above must be a positive number, not ${JSON.stringify(load)}`,
            'write unless_load_per_cpu_above: 2 (load average per CPU)',
          );
        else unless = { unlessLoadPerCpuAbove: load };
      }
      if (t.program !== undefined) {
        out.push(this.programTarget(path, where, index, t, unless));
        return;
      }
      for (const key of ['value', 'below'])
        if (t[key] !== undefined) this.p.add([...path, key], where, `${key} applies to a program target`, 'add program: <component with run>, or remove it');
      const metric = t.metric;
      const step = this.optString(path, t, 'step', where);
      if (step !== undefined && !this.stepIds.has(step))
        this.p.add([...path, 'step'], where, `there is no step with id "${step}"`, `use one of ${[...this.stepIds].join(', ')}`);
      if ((LATENCY_METRICS as readonly unknown[]).includes(metric)) {
        if (step === undefined) this.p.add(path, where, `a ${String(metric)} target needs the step whose latency it measures`, 'add step: <step id>');
        const below = t.below_ms;
        if (typeof below !== 'number' || !(below > 0))
          this.p.add([...path, 'below_ms'], where, `below_ms must be a positive number of milliseconds, not ${JSON.stringify(below)}`, 'write below_ms: 25');
        for (const key of ['at_least', 'at_most', 'channel'])
          if (t[key] !== undefined) this.p.add([...path, key], where, `${key} applies to count metrics (${COUNT_METRICS.join(', ')})`, `remove ${key}`);
        out.push({ kind: 'latency', index, step: step ?? '', metric: metric as LatencyMetric, belowMs: Number(below), ...unless });
      } else if ((COUNT_METRICS as readonly unknown[]).includes(metric)) {
        const atLeast = this.optInt(path, t, 'at_least', where, 0, Number.MAX_SAFE_INTEGER);
        const atMost = this.optInt(path, t, 'at_most', where, 0, Number.MAX_SAFE_INTEGER);
        if (atLeast === undefined && atMost === undefined)
          this.p.add(path, where, `a ${String(metric)} target needs at_least or at_most`, 'add at_most: 0 (or at_least: N)');
        if (t.below_ms !== undefined)
          this.p.add([...path, 'below_ms'], where, `below_ms applies to latency metrics (${LATENCY_METRICS.join(', ')})`, 'use at_least or at_most');
        const channel = this.optString(path, t, 'channel', where);
        out.push({
          kind: 'count',
          index,
          metric: metric as CountMetric,
          ...unless,
          ...(step !== undefined ? { step } : {}),
          ...(channel !== undefined ? { channel } : {}),
          ...(atLeast !== undefined ? { atLeast } : {}),
          ...(atMost !== undefined ? { atMost } : {}),
        });
      } else {
        this.p.add(
          [...path, 'metric'],
          where,
          metric === undefined ? 'metric is missing' : `unknown metric ${JSON.stringify(metric)}`,
          `use a latency metric (${LATENCY_METRICS.join(', ')}) with step and below_ms, or a count (${COUNT_METRICS.join(', ')}) with at_least/at_most`,
        );
      }
    });
    return out;
  }

  private programTarget(path: (string | number)[], where: string, index: number, t: Obj, unless: { unlessLoadPerCpuAbove?: number }): TargetSpec {
    const program = this.reqString(path, t, 'program', where, 'name a component with run') ?? '';
    if (program !== '' && !this.processNames.has(program)) {
      this.p.add([...path, 'program'], where, `"${program}" is not a component with run`, `use one of ${[...this.processNames].join(', ') || '(none listed)'}`);
    }
    const value = this.reqString(path, t, 'value', where, 'name the summary field, e.g. value: latency_ms.p99') ?? '';
    if (value !== '' && !VALUE_RE.test(value))
      this.p.add(
        [...path, 'value'],
        where,
        `value "${value}" is not a dotted field path`,
        'write the path of a number in the summary, e.g. value: latency_ms.p99',
      );
    for (const key of ['metric', 'step', 'below_ms', 'channel'])
      if (t[key] !== undefined)
        this.p.add([...path, key], where, `${key} does not apply to a program target`, `remove ${key}; use value with below, at_least or at_most`);
    const num = (key: string): number | undefined => {
      const v = t[key];
      if (v === undefined) return undefined;
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      this.p.add([...path, key], where, `${key} must be a number, not ${JSON.stringify(v)}`, `write ${key}: 25`);
      return undefined;
    };
    const below = num('below');
    const atLeast = num('at_least');
    const atMost = num('at_most');
    if (below === undefined && atLeast === undefined && atMost === undefined)
      this.p.add(path, where, 'a program target needs below, at_least or at_most', 'add below: 25 (or at_least / at_most)');
    return {
      kind: 'program',
      index,
      program,
      value,
      ...unless,
      ...(below !== undefined ? { below } : {}),
      ...(atLeast !== undefined ? { atLeast } : {}),
      ...(atMost !== undefined ? { atMost } : {}),
    };
  }

  private sdkComponent(path: (string | number)[], b: Obj, where: string): string | undefined {
    const c = this.reqString(path, b, 'component', where, `name the component that acts, one of ${[...this.sdkNames].join(', ') || '(none listed)'}`);
    if (c === undefined) return undefined;
    if (!this.sdkNames.has(c)) {
      const why = this.componentNames.has(c)
        ? `"${c}" is a component with run (its own program); the runner cannot act as it`
        : `"${c}" is not a component of this flow`;
      this.p.add([...path, 'component'], where, why, `use one of ${[...this.sdkNames].join(', ') || '(none listed)'} or add it under components`);
    }
    return c;
  }

  private errorCode(path: (string | number)[], b: Obj, where: string): ErrorCode | undefined {
    if (b.expect_error === undefined) return undefined;
    if (isErrorCode(b.expect_error)) return b.expect_error;
    this.p.add(
      [...path, 'expect_error'],
      where,
      `expect_error ${JSON.stringify(b.expect_error)} is not a protocol error code`,
      `use one of ${ERROR_CODE_LIST.join(', ')}`,
    );
    return undefined;
  }

  private unknownKeys(path: (string | number)[], obj: Obj, known: string[], where: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.p.add([...path, key], where, `unknown key "${key}"`, `use only ${known.join(', ')} (see docs/guides/scenarios.md)`);
    }
  }

  private reqString(path: (string | number)[], obj: Obj, key: string, where: string, fix: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'string' && v !== '') return v;
    this.p.add(
      v === undefined ? path : [...path, key],
      where,
      v === undefined ? `${key} is missing` : `${key} must be a non-empty string, not ${JSON.stringify(v)}`,
      fix,
    );
    return undefined;
  }

  private optString(path: (string | number)[], obj: Obj, key: string, where: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.p.add([...path, key], where, `${key} must be a string, not ${JSON.stringify(v)}`, `quote the value of ${key}`);
    return undefined;
  }

  private optInt(path: (string | number)[], obj: Obj, key: string, where: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.p.add(
      [...path, key],
      where,
      `${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
      `write ${key}: ${Math.max(min, 1)} or more`,
    );
    return undefined;
  }

  /** Replaces `${NAME}` with the environment variable NAME. */
  private expand(path: (string | number)[], where: string, s: string): string {
    return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = this.env[name];
      if (v === undefined) {
        this.p.add(path, where, `the environment variable ${name} is not set`, `set ${name} before running the flow, or write the value in the file`);
        return '';
      }
      return v;
    });
  }
}

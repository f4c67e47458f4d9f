// A JSON value shown as indented text, with the parts a contract violation names (JSON pointers) highlighted:
// a field that is there but wrong is marked, a required field that is missing is shown as missing.
import type { ComponentChildren } from 'preact';
import type { ViolationDetail } from './types';

export function JsonView({ value, details }: { value: unknown; details?: ViolationDetail[] | null }) {
  const marks = new Map<string, ViolationDetail>();
  for (const d of details ?? []) marks.set(d.path, d);
  return <pre class="json">{node(value, '', 0, marks)}</pre>;
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}

function node(value: unknown, path: string, depth: number, marks: Map<string, ViolationDetail>): ComponentChildren {
  if (value === null || typeof value !== 'object') return leaf(value, path, marks);
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  const missing = isArray ? [] : [...marks.values()].filter((d) => parent(d.path) === path && !Object.hasOwn(value as object, last(d.path)));
  const open = isArray ? '[' : '{';
  const close = isArray ? ']' : '}';
  const own = marks.get(path);
  const lines = [
    ...entries.map(([k, v], i) => {
      const p = `${path}/${escape(k)}`;
      const comma = i < entries.length - 1 || missing.length > 0 ? ',' : '';
      return (
        <span key={p}>
          {indent(depth + 1)}
          {isArray ? null : <span class="json-key">{JSON.stringify(k)}: </span>}
          {node(v, p, depth + 1, marks)}
          {comma}
          {'\n'}
        </span>
      );
    }),
    ...missing.map((d) => (
      <span key={`missing${d.path}`}>
        {indent(depth + 1)}
        <mark class="violation" title={d.message}>
          {JSON.stringify(last(d.path))}: (missing) ← {d.message}
        </mark>
        {'\n'}
      </span>
    )),
  ];
  const body = (
    <>
      {open}
      {'\n'}
      {lines}
      {indent(depth)}
      {close}
    </>
  );
  return own ? (
    <mark class="violation" title={own.message}>
      {body}
    </mark>
  ) : (
    body
  );
}

function leaf(value: unknown, path: string, marks: Map<string, ViolationDetail>): ComponentChildren {
  const text = <span class={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>;
  const d = marks.get(path);
  return d ? (
    <mark class="violation" title={d.message}>
      {text} ← {d.message}
    </mark>
  ) : (
    text
  );
}

const parent = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf('/')));
const last = (p: string): string =>
  p
    .slice(p.lastIndexOf('/') + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

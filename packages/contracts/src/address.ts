import { channelNameProblem } from '@switchboard/protocol';

/** A channel address split into literal text and `{parameter}` placeholders. */
export interface AddressShape {
  address: string;
  /** Parameter names in order of appearance. */
  params: string[];
  parts: Array<{ text: string } | { param: string }>;
  /** The address with every placeholder written `{}`: two addresses with the same key are the same channel. */
  key: string;
}

/** What a parameter value may contain: one channel segment without `/` (`A-Z a-z 0-9 _ - : @`). */
const PARAM_VALUE = '[A-Za-z0-9_\\-:@]+';

/** Splits an address, or says why it cannot be a Switchboard channel name. */
export function parseAddress(address: string): AddressShape | { problem: string; fix: string } {
  const parts: AddressShape['parts'] = [];
  const params: string[] = [];
  const token = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = token.exec(address); m; m = token.exec(address)) {
    const name = m[1]!;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      return {
        problem: `address "${address}" has a parameter "{${name}}" with an empty name or a character outside A-Z a-z 0-9 _ -`,
        fix: 'name each parameter with letters, digits, _ or -, e.g. rooms.{roomId}',
      };
    }
    if (params.includes(name))
      return { problem: `address "${address}" uses parameter {${name}} twice`, fix: 'give each parameter of the address its own name' };
    if (m.index > last) parts.push({ text: address.slice(last, m.index) });
    parts.push({ param: name });
    params.push(name);
    last = m.index + m[0].length;
  }
  if (last < address.length) parts.push({ text: address.slice(last) });
  const literal = parts.map((p) => ('text' in p ? p.text : 'x')).join('');
  if (/[{}]/.test(literal)) return { problem: `address "${address}" has an unbalanced { or }`, fix: 'write each parameter as {name}' };
  const problem = channelNameProblem(literal);
  if (problem !== undefined) {
    return {
      problem: `address "${address}" cannot be a Switchboard channel name: ${problem}`,
      fix: 'change the address to segments of A-Z a-z 0-9 _ - : @ / separated by ".", with {name} for a variable part (wildcards are only for subscribing)',
    };
  }
  const key = parts.map((p) => ('text' in p ? p.text : '{}')).join('');
  return { address, params, parts, key };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher for a parameterised address: each `{name}` matches one value of `A-Z a-z 0-9 _ - : @` (so never a
 * `.` or `/`), or, when the parameter declares an `enum`, exactly one of those values.
 */
export function addressMatcher(shape: AddressShape, enums: ReadonlyMap<string, readonly string[]>): RegExp {
  const body = shape.parts.map((p) => {
    if ('text' in p) return escapeRegExp(p.text);
    const values = enums.get(p.param);
    return values && values.length > 0 ? `(?:${values.map(escapeRegExp).join('|')})` : PARAM_VALUE;
  });
  return new RegExp(`^${body.join('')}$`);
}

/** How specific an address is: its number of literal characters. */
export function specificity(shape: AddressShape): number {
  return shape.parts.reduce((n, p) => n + ('text' in p ? p.text.length : 0), 0);
}

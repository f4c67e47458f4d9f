/** One `<testcase>` of a JUnit XML report. */
export interface JunitCase {
  classname: string;
  name: string;
  /** The `message` of its `<failure>` or `<error>`, when it has one. */
  failure?: string;
  /** The `message` of its `<skipped>`, when it was skipped. */
  skipped?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENTITIES[e]!);

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = unescape(m[2]!);
  return out;
}

/**
 * Reads the test suites and cases of a JUnit XML report (the flat shape `scenario run` writes), and checks that
 * the document is well formed: one root, every element closed in order, only the five XML entities.
 */
export function parseJunit(xml: string): { suites: Record<string, string>[]; cases: JunitCase[]; totals: Record<string, string> } {
  const stack: string[] = [];
  for (const m of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([\w:-]+)[^>]*?(\/?)>/g)) {
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`</${m[2]}> closes the wrong element`);
    } else if (!m[3]) stack.push(m[2]!);
  }
  if (stack.length) throw new Error(`unclosed elements: ${stack.join(', ')}`);
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(xml)) throw new Error('an & that is not one of the XML entities');
  if (/="[^"]*</.test(xml)) throw new Error('a raw < inside an attribute value');
  const totals = attrs(/<testsuites\b[^>]*>/.exec(xml)?.[0] ?? '');
  const suites = [...xml.matchAll(/<testsuite\b[^>]*>/g)].map((m) => attrs(m[0]));
  const cases: JunitCase[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const a = attrs(m[1]!);
    const fail = m[3] ? /<(failure|error)\b([^>]*)>/.exec(m[3]) : null;
    const skip = m[3] ? /<skipped\b([^>]*)>/.exec(m[3]) : null;
    cases.push({
      classname: a.classname!,
      name: a.name!,
      ...(fail ? { failure: attrs(fail[2]!).message ?? '' } : {}),
      ...(skip ? { skipped: attrs(skip[1]!).message ?? '' } : {}),
    });
  }
  return { suites, cases, totals };
}

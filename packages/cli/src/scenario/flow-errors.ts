import { LineCounter, type Document } from 'yaml';

/** One problem in a flow file: where it is, what is wrong and what to change. */
export interface FlowProblem {
  file: string;
  line?: number;
  column?: number;
  /** The part of the flow, e.g. `step 3 "tick-roundtrip" (publish)` or `components[1]`. */
  where: string;
  problem: string;
  fix: string;
}

/** A flow file that cannot be run; `problems` lists every problem found. */
export class FlowFileError extends Error {
  readonly problems: FlowProblem[];
  constructor(problems: FlowProblem[]) {
    super(problems.map(formatFlowProblem).join('\n'));
    this.name = 'FlowFileError';
    this.problems = problems;
  }
}

/** `file:line:col: where: problem. Fix: fix` */
export function formatFlowProblem(p: FlowProblem): string {
  const place = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${place}: ${p.where}: ${p.problem}. Fix: ${p.fix}`;
}

/** Collects problems of one flow file, placing each at the line of the YAML node it concerns. */
export class ProblemList {
  readonly items: FlowProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  /** Adds a problem at `path` (keys and indexes into the document); the nearest existing node gives the line. */
  add(path: (string | number)[], where: string, problem: string, fix: string): void {
    const pos = this.position(path);
    this.items.push({ file: this.file, ...pos, where, problem, fix });
  }

  private position(path: (string | number)[]): { line?: number; column?: number } {
    if (!this.doc || !this.lines) return {};
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) {
        const { line, col } = this.lines.linePos(range[0]);
        return { line, column: col };
      }
    }
    return {};
  }
}

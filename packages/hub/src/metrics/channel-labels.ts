import { matchChannel } from '@switchboard/protocol';

/** The label value of every channel (and group) that does not get a label of its own. */
export const OTHER = 'other';

/** Options of {@link LabelBudget}. */
export interface LabelBudgetOptions {
  /** Names that may have a label of their own: channel patterns (`orders.>`); every name when absent. */
  patterns?: readonly string[];
  /** At most this many names get a label of their own, the first ones seen; later ones are {@link OTHER}. */
  max: number;
}

/** How many names a budget remembers having refused, so that refusing one again costs one lookup. */
const MAX_REMEMBERED = 10_000;

/**
 * Bounds the values of one label (`channel`, `group`): a name gets a label of its own when it matches one of the
 * patterns and fewer than `max` names have one; any other name is labelled {@link OTHER}. Once given, a label is
 * kept for the life of the hub, so a series never changes its name between scrapes.
 */
export class LabelBudget {
  private readonly given = new Map<string, string>();
  private owned = 0;

  constructor(private readonly options: LabelBudgetOptions) {}

  /** The label value of `name`. */
  label(name: string): string {
    const known = this.given.get(name);
    if (known !== undefined) return known;
    const { patterns, max } = this.options;
    const own = this.owned < max && (patterns === undefined || patterns.some((p) => matchChannel(p, name)));
    if (own) this.owned++;
    else if (this.given.size - this.owned >= MAX_REMEMBERED) return OTHER;
    const label = own ? name : OTHER;
    this.given.set(name, label);
    return label;
  }

  /** How many names have a label of their own. */
  get size(): number {
    return this.owned;
  }
}

import { SwitchboardError } from '@switchboard/protocol';
import { formatContractProblem, type CheckedContracts, type ContractSet } from '@switchboard/contracts';

/** What a successful reload loaded. */
export interface ReloadResult {
  channels: number;
  messageTypes: number;
  /** The documents loaded, then the files they reference. */
  sources: string[];
  warnings: string[];
}

export interface ReloaderDeps {
  /** Loads and checks the contracts again; undefined when the hub has no contracts directory. */
  source?: () => Promise<CheckedContracts>;
  /** Swaps the contracts in one step. */
  apply: (set: ContractSet) => void;
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

/**
 * Reloads the contracts (SIGHUP, `POST /v1/contracts/reload`): loads and checks them again and swaps them in one
 * step, or refuses with `CONTRACT_VIOLATION` (details: each problem with file, pointer and fix) and keeps the
 * current ones. Reloads run one after the other, so an older load never replaces a newer one.
 */
export function createContractReloader(deps: ReloaderDeps): (trigger: string) => Promise<ReloadResult> {
  let last: Promise<unknown> = Promise.resolve();
  const reload = async (trigger: string): Promise<ReloadResult> => {
    if (!deps.source) {
      throw new SwitchboardError(
        'NOT_FOUND',
        'this hub was started without a contracts directory (--contracts), so there is nothing to reload; restart it with --contracts DIR',
      );
    }
    const { set, problems } = await deps.source();
    if (!set || problems.length > 0) {
      const first = formatContractProblem(problems[0]!);
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
      deps.log.warn({ trigger, problems }, `contract reload refused; the current contracts stay: ${first}`);
      throw new SwitchboardError(
        'CONTRACT_VIOLATION',
        `the contracts were not reloaded, the current ones stay: ${first}${more}`,
        problems.map((p) => ({ ...p, message: formatContractProblem(p) })),
      );
    }
    deps.apply(set);
    const result: ReloadResult = {
      channels: set.channels().length,
      messageTypes: set.channels().reduce((n, c) => n + c.messageTypes.length, 0),
      sources: [...set.sources],
      warnings: [...set.warnings],
    };
    deps.log.info({ trigger, ...result }, 'contracts reloaded');
    return result;
  };
  return (trigger) => {
    const run = last.then(() => reload(trigger));
    last = run.catch(() => undefined);
    return run;
  };
}

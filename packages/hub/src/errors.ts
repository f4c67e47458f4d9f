import { SwitchboardError } from '@switchboard/protocol';

/** Maps anything thrown to a protocol error; unexpected faults become INTERNAL and are logged. */
export function toSwitchboardError(err: unknown, log?: { warn(obj: unknown, msg?: string): void }): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  log?.warn({ err }, 'unexpected error');
  return new SwitchboardError('INTERNAL', `internal error: ${(err as Error)?.message ?? String(err)}; the operation was not applied`);
}

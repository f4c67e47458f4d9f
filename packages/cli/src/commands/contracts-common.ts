import { readFile, stat } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ContractLoadError, listContractFiles, loadContractDocuments, type ContractSet } from '@switchboard/contracts';

/** `n word` or `n words`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Parses the arguments of a `contracts` verb; on a usage error prints it with the help on stderr and returns
 * undefined (exit status 2).
 */
export function parseVerbArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  verb: string,
  help: string,
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> | undefined {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`switchboard contracts ${verb}: ${(err as Error).message}\n\n${help}`);
    return undefined;
  }
}

/**
 * Loads AsyncAPI files and directories (recursively) as one contract set, as the hub loads its contracts
 * directory. Payloads in non-JSON-Schema formats are accepted unchecked. Throws {@link ContractLoadError}.
 */
export async function loadContractPaths(paths: string[]): Promise<ContractSet> {
  const docs: Array<{ file: string; text: string }> = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      throw new ContractLoadError(
        { file: path, pointer: '' },
        `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        'check the path',
      );
    }
    for (const file of info.isDirectory() ? await listContractFiles(path) : [path]) {
      try {
        docs.push({ file, text: await readFile(file, 'utf8') });
      } catch (e) {
        throw new ContractLoadError(
          { file, pointer: '' },
          `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          'make the file readable',
        );
      }
    }
  }
  return loadContractDocuments(docs, { unsupportedSchemaFormats: 'skip' });
}

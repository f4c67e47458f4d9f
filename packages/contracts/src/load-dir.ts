import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractLoadError } from './errors.js';

const CONTRACT_FILE = /\.(ya?ml|json)$/i;

/**
 * Every `*.yaml`, `*.yml`, `*.json` file under `dir`, sorted; `node_modules` and dot-directories are skipped,
 * symbolic links to directories are not followed, and a broken link is listed (so that reading it reports it).
 */
export async function listContractFiles(dir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(dir);
  } catch (e) {
    throw new ContractLoadError(
      { file: dir, pointer: '' },
      `the contracts directory cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      'create the directory, or point the contracts setting at the directory that holds your AsyncAPI documents',
      { cause: e },
    );
  }
  if (!info.isDirectory()) {
    throw new ContractLoadError(
      { file: dir, pointer: '' },
      'this is a file, not a directory',
      'point the contracts setting at the directory that holds the AsyncAPI documents',
    );
  }
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(p);
      } else if (
        CONTRACT_FILE.test(e.name) &&
        (e.isFile() ||
          (e.isSymbolicLink() &&
            (await stat(p).then(
              (s) => !s.isDirectory(),
              () => true,
            ))))
      ) {
        found.push(p);
      }
    }
  };
  await walk(dir);
  return found;
}

/** Reads the files; an unreadable one becomes a {@link ContractLoadError}. */
export async function readContractFiles(files: string[]): Promise<Array<{ file: string; text: string }>> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (e) {
        throw new ContractLoadError(
          { file, pointer: '' },
          `the file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          'make the file readable by the hub (check its permissions), or move it out of the contracts directory',
          { cause: e },
        );
      }
    }),
  );
}

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p dir`, one level at a time. Node's `mkdir(…, { recursive: true })` loops forever (100 % CPU, no error)
 * where a parent exists but `mkdir` answers ENOENT, as under `/proc`; here that case, like any other refusal,
 * rejects at once with an error that names the folder.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ;) {
    const st = await stat(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT')
        throw Object.assign(new Error(`${dirname(d)} exists but does not let a folder be created in it (mkdir ${d}: ENOENT)`), { code, cause: err });
      throw err;
    }
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Content types of the files a built web page is made of; another extension is served as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Extensions worth compressing. */
const TEXT = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/** One file, read once: its bytes, gzipped bytes when that is smaller, and the headers it is served with. */
export interface StaticFile {
  body: Buffer;
  gzip?: Buffer;
  contentType: string;
  etag: string;
  /** `immutable` for files whose name carries a content hash (`assets/…`), `no-cache` (revalidate) for the rest. */
  cacheControl: string;
}

/** Files at most this large are kept; a larger one is left out (a built page has none). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** At most this many files. */
const MAX_FILES = 2000;

/**
 * Reads every file under `dir` into memory, by URL path (`/index.html`, `/assets/index-3f2a.js`). Names are taken
 * from the directory listing only, so that a request can name nothing outside it (no `..`, no symbolic link
 * followed out). Resolves with an empty map when `dir` does not exist.
 */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw err;
  }
  for (const entry of entries) {
    if (!entry.isFile() || files.size >= MAX_FILES) continue;
    const full = join(entry.parentPath, entry.name);
    const body = await readFile(full);
    if (body.length > MAX_FILE_BYTES) continue;
    const path = '/' + relative(dir, full).split(sep).join('/');
    const ext = extname(entry.name).toLowerCase();
    const zipped = TEXT.has(ext) && body.length > 1024 ? gzipSync(body) : undefined;
    files.set(path, {
      body,
      gzip: zipped && zipped.length < body.length ? zipped : undefined,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cacheControl: path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

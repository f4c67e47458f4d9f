import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
 * its threshold and flushes the database file to disk there: on a slow disk that one commit (and every publish
 * waiting behind it) stalls for milliseconds. Instead the hub's connection has `wal_autocheckpoint = 0` and a
 * worker thread with its own connection runs `wal_checkpoint(PASSIVE)` every `intervalMs`, which never blocks the
 * writer. Should the worker fail, automatic checkpoints are turned back on (`onFailure`).
 */
export interface Checkpointer {
  /** Runs a last checkpoint and stops the worker. */
  stop(): Promise<void>;
}

// The worker's code, run as a CommonJS script (`eval`), so that it works the same from `src` and `dist`.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** Starts the checkpoint worker for the database at `path`. */
export function startCheckpointer(options: { path: string; intervalMs: number; busyTimeoutMs: number; onFailure: (reason: string) => void }): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_CODE, {
    eval: true,
    workerData: { module, path: options.path, intervalMs: options.intervalMs, busyTimeoutMs: options.busyTimeoutMs },
  });
  worker.unref();
  let failed = false;
  const fail = (reason: string) => {
    if (failed) return;
    failed = true;
    options.onFailure(reason);
  };
  worker.on('message', (m: { error?: string }) => {
    if (m.error) fail(m.error);
  });
  worker.on('error', (err) => fail(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        exited,
        new Promise<void>((r) => {
          timer = setTimeout(r, 5_000);
        }),
      ]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

// What every hub a test starts looks like, whichever way it runs: inside the test process
// (`hub-in-process.ts`, the default) or as a `switchboard start` child process (`hub-process.ts`).

/** How a test hub is set up: the settings of `switchboard start` that tests use. */
export interface TestHubOptions {
  /** Data directory; a fresh temp dir when omitted (removed by `cleanup`). */
  dataDir?: string;
  /** Directory of AsyncAPI contracts (`--contracts`). */
  contracts?: string;
  /** A switchboard.yaml (`--config`). */
  config?: string;
  /** Dev mode (no token needed). Default true. */
  dev?: boolean;
  /** Shared secret for HS256 tokens (`--token-secret`); give `dev: false` with it to require tokens. */
  tokenSecret?: string;
  /** A JWKS file or URL for RS256/ES256/EdDSA tokens (`--jwks`); give `dev: false` with it to require tokens. */
  jwks?: string;
  /** `--durability` of the SQLite store (default `process`). */
  durability?: 'process' | 'fsync';
  /** Node id shown to clients (`--node-id`). */
  nodeId?: string;
  /** Port; default 0 (a free one). A restart reuses the port first chosen. */
  port?: number;
  /** Serve the dashboard at `/` (default true, as `switchboard start`; false: `--no-dashboard`). */
  dashboard?: boolean;
  /** `--log-level` (default `SWITCHBOARD_LOG_LEVEL`, else `warn`); `output()` holds the JSON log lines. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A running hub on 127.0.0.1 with its own data directory. */
export interface TestHub {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `ws://127.0.0.1:PORT/v1/ws` */
  readonly wsUrl: string;
  readonly dataDir: string;
  /** Everything the hub printed and logged so far. */
  output(): string;
  /** Stops gracefully (stop accepting, flush, close connections); resolves with the exit code (0: clean). */
  stop(): Promise<number | null>;
  /** Starts again on the same port and data directory (stopping first if it runs). */
  restart(): Promise<TestHub>;
  /** Stops if running and removes the temp data dir. */
  cleanup(): Promise<void>;
}

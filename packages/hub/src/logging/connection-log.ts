import type { HubFeature } from '../features/feature.js';

/**
 * A feature that logs each connection: `connection open` (info) when its `hello` was welcomed, with component,
 * session, version and remote address; `connection closed` (info) when it ends, with how long it lasted and
 * whether it was lost (parked for `resume`); a socket that closes before `hello` is logged at debug.
 */
export function connectionLogFeature(): HubFeature {
  return {
    name: 'connection-log',
    register(host) {
      const log = host.log;
      host.connection({
        open(conn) {
          const opened = Date.now();
          let who: { component: string; session: string; version?: string; remote?: string } | undefined;
          const ended = (lost: boolean | undefined) => {
            if (who) log.info({ ...who, lost, duration_ms: Date.now() - opened }, `connection closed: ${who.component}`);
            else log.debug({ remote: conn.remote(), duration_ms: Date.now() - opened }, 'connection closed before hello');
          };
          return {
            ready(hello) {
              const version = typeof hello.version === 'string' ? hello.version : undefined;
              who = { component: conn.identity().component, session: conn.session(), version, remote: conn.remote() };
              log.info(who, `connection open: ${who.component}${version ? ` ${version}` : ''}`);
            },
            park(lost) {
              ended(lost);
              return undefined;
            },
            close() {
              ended(undefined);
            },
          };
        },
      });
    },
  };
}

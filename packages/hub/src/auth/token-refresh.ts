import { SwitchboardError, type RawFrame } from '@switchboard/protocol';
import type { HubFeature } from '../features/feature.js';

/**
 * The `refresh` op: `{"op":"refresh","id":n,"token":"…"}` swaps the token of an open connection for a new one of the
 * same component (`sub`), checked as a `hello`'s would be. The new token's permissions apply from the next op, and
 * the connection now closes (4401) at the new token's `exp`. A refused refresh changes nothing: the connection keeps
 * its token, and still closes when that one expires. Answers `{"op":"ok","re":n,"exp":<the new exp>}`.
 */
export function tokenRefreshFeature(): HubFeature {
  return {
    name: 'token-refresh',
    register(host) {
      host.connection({
        ops: ['refresh'],
        open(conn) {
          return {
            async handle(_op, frame: RawFrame) {
              if (typeof frame.token !== 'string' || frame.token === '')
                throw new SwitchboardError('BAD_FRAME', '"token" must be the new JWT, e.g. {"op":"refresh","id":1,"token":"<JWT>"}');
              const current = conn.identity().component;
              let next;
              try {
                next = await host.auth.authenticate(frame.token, current);
              } catch (err) {
                if (err instanceof SwitchboardError && err.code === 'FORBIDDEN')
                  throw new SwitchboardError(
                    'FORBIDDEN',
                    `a refresh keeps the component: this connection is "${current}", and the new token is for another "sub"; refresh with a token whose "sub" is "${current}", or open a new connection`,
                  );
                throw err;
              }
              conn.reauthenticate(next);
              return next.exp === undefined ? {} : { exp: next.exp };
            },
          };
        },
      });
    },
  };
}

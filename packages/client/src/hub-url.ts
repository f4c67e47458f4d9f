import { SwitchboardError } from '@switchboard/protocol';

/** What a hub URL looks like, as said in the errors below. */
export const HUB_URL_SHAPE = 'ws://host:port/v1/ws (wss:// behind TLS)';

/** The hub's WebSocket path (`PROTOCOL.md`, Transport). */
const HUB_PATH = '/v1/ws';

/** `url` with the scheme and path a hub serves, for the "did you mean" of an error; undefined if not a URL. */
function suggestion(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  return `${scheme}//${u.host}${HUB_PATH}`;
}

/** The message of every wrong-URL error: the URL given, what is wrong, what it should look like. */
export function wrongUrlMessage(url: string, why: string): string {
  const fix = suggestion(url);
  return `wrong hub URL "${url}": ${why}; a hub URL looks like ${HUB_URL_SHAPE}${fix && fix !== url ? `, e.g. ${fix}` : ''}`;
}

/**
 * Throws `BAD_FRAME` at once for a URL no hub can answer: not a URL, or a scheme other than `ws:` / `wss:`
 * (an `http://` URL is the usual slip). The path is not checked here, since a proxy may serve the hub at
 * another one; a server that refuses the upgrade there is reported by the transport ({@link upgradeRefused}).
 */
export function checkHubUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SwitchboardError('BAD_FRAME', wrongUrlMessage(url, 'it is not a URL'));
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    const scheme = u.protocol.replace(/:$/, '');
    throw new SwitchboardError('BAD_FRAME', wrongUrlMessage(url, `the scheme is ${scheme}://, a hub takes WebSocket connections at ws:// or wss://`));
  }
}

/**
 * `NOT_FOUND` when a socket error says the server answered the upgrade with HTTP 400 or 404 (what the hub answers
 * at a path other than `/v1/ws`; `ws` reports it as "Unexpected server response: 400"), else undefined.
 * Browsers do not expose the status: there the attempt fails like any other.
 */
export function upgradeRefused(url: string, errorText: string): SwitchboardError | undefined {
  const m = /Unexpected server response: (400|404)\b/.exec(errorText);
  if (!m) return undefined;
  const path = (() => {
    try {
      return new URL(url).pathname;
    } catch {
      return '';
    }
  })();
  const where = path === HUB_PATH ? '' : ` (the path is "${path}", the hub serves ${HUB_PATH})`;
  return new SwitchboardError('NOT_FOUND', wrongUrlMessage(url, `the server answered HTTP ${m[1]} to the WebSocket upgrade${where}`), { status: Number(m[1]) });
}

/**
 * The HTTP and WebSocket addresses of a hub given as `--hub`: `http(s)://host:port` or the `ws(s)://host:port/v1/ws`
 * a component uses. Throws an Error saying what to change when it is not one of those.
 */
export function hubUrls(url: string): { http: string; ws: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--hub "${url}" is not a URL; give the hub's address, e.g. --hub http://127.0.0.1:7700`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) throw new Error(`--hub "${url}" must start with http://, https://, ws:// or wss://`);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  return { http: `${secure ? 'https' : 'http'}://${u.host}`, ws: `${secure ? 'wss' : 'ws'}://${u.host}/v1/ws` };
}

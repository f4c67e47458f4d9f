// Reads `switchboard_limit_refusals_total` of a hub from its real `/metrics` endpoint.

/** The refusals counted for each limit name, from `GET /metrics` of the hub at `url`. */
export async function limitRefusals(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^switchboard_limit_refusals_total\{limit="([a-z_]+)"\} (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

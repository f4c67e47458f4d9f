import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { SwitchboardError } from '@switchboard/protocol';

/** Addresses a webhook may not reach unless `allow_private_networks: true`: loopback, private, link-local, and the like. */
export function privateNetworks(): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    b.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
  ] as const)
    b.addSubnet(net, prefix, 'ipv6');
  return b;
}

/** True when `address` (an IP) is in `blocked`; an IPv4-mapped IPv6 address is judged by its IPv4 part. */
export function isPrivate(blocked: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The error of a refused target, saying what to change. */
export function privateTargetError(webhook: string, host: string, address: string): SwitchboardError {
  return new SwitchboardError(
    'FORBIDDEN',
    `webhook "${webhook}": ${host} resolves to ${address}, a loopback, private or link-local address; set allow_private_networks: true on the webhook if that target is meant`,
  );
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that resolves as usual and then refuses every private address, so the check applies
 * to the address actually connected to (a DNS name that changes to a private address is caught at connect time).
 */
export function guardedLookup(webhook: string, blocked: BlockList): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options }, (err, address, family) => {
      if (err) return callback(err, address as string, family);
      const all = (Array.isArray(address) ? address : [{ address, family }]) as LookupAddress[];
      const bad = all.find((a) => isPrivate(blocked, a.address));
      if (bad) return callback(privateTargetError(webhook, hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 4);
      callback(null, address as string, family);
    });
  };
}

// One undici Agent for every outbound connection: keep-alive pools per origin, connect and
// total timeouts, and an SSRF guard that checks the resolved address at connect time.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96], ['64:ff9b::', 96]] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return blocked.check(v4, 'ipv4');
  }
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses private, loopback and link-local results (all of them, not the first). */
function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new BlockedAddressError(`${hostname} resolves to a private address (${bad.address})`), []);
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

export interface AgentOptions {
  allowPrivateAddresses: boolean;
  connectTimeoutMs?: number;
  /** keep-alive connections per origin: also the per-server concurrency ceiling */
  connectionsPerOrigin?: number;
  /** trusted beside the system roots */
  extraCaPem?: string;
}

export function createHttpAgent(o: AgentOptions): Agent {
  return new Agent({
    connections: o.connectionsPerOrigin ?? 8,
    keepAliveTimeout: 30_000,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
    connect: {
      timeout: o.connectTimeoutMs ?? 5_000,
      ...(o.extraCaPem ? { ca: [...rootCertificates, o.extraCaPem] } : {}),
      ...(o.allowPrivateAddresses ? {} : { lookup: guardedLookup as never }),
    },
  });
}

/** Literal IPs skip DNS, so the guard must also check them before connecting. */
export function assertPublicUrl(url: URL, allowPrivateAddresses: boolean): void {
  if (allowPrivateAddresses) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) throw new BlockedAddressError(`${host} is local`);
  if (isIP(host) && isPrivateAddress(host)) throw new BlockedAddressError(`${host} is a private address`);
}

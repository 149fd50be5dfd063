// Domain names of blocks and the hosts they cover: pure. A block of example.com covers
// example.com and every subdomain (as Mastodon's domain blocks do); a block naming a port covers
// that port only, one without a port every port.
import { isIP } from 'node:net';

export type DomainParse = { ok: true; domain: string } | { ok: false; detail: string };

/**
 * A host name, optionally with a port, in its canonical form (lower case, punycode), via the
 * WHATWG URL parser. singleLabel: also a name without a dot (a service on a private network,
 * where deliveries may go); a block needs a fully qualified name.
 */
export function parseDomain(input: string, opts: { singleLabel?: boolean } = {}): DomainParse {
  const text = input.trim();
  if (text === '' || text.length > 253 + 6) return { ok: false, detail: 'a host name such as example.com' };
  if (/[^\p{L}\p{M}\p{N}._\-[\]:]/u.test(text)) return { ok: false, detail: 'a bare host name (no scheme, path, user, spaces or wildcards)' };
  let url: URL;
  try {
    url = new URL(`https://${text}`);
  } catch {
    return { ok: false, detail: `${text} is not a host name` };
  }
  // The parser also reads numbers as IPv4 (8443 is 0.0.32.251) and drops a default port (:443):
  // an ASCII name must already be what it parses to, or it names something else than was meant.
  if (/^[\x21-\x7e]+$/.test(text) && url.host !== text.toLowerCase()) {
    return { ok: false, detail: `${text} is not a host name in canonical form (it reads as ${url.host})` };
  }
  const ip = isIP(url.hostname.replace(/^\[|\]$/g, ''));
  if (!opts.singleLabel && !url.hostname.includes('.') && url.hostname !== 'localhost' && !ip) {
    return { ok: false, detail: `${text} is not a fully qualified host name` };
  }
  return { ok: true, domain: url.host };
}

/** The host (with its port, if any) of an http(s) URL, lower-cased; undefined when it is not one. */
export { hostOf } from '../activitypub/as-read';

/** The block covering this host (itself, a parent domain, with or without the port), if any. */
export function coveringBlock(host: string, blocks: Pick<ReadonlySet<string>, 'has' | 'size'>): string | undefined {
  if (blocks.size === 0) return undefined;
  const { hostname, port } = splitHost(host.toLowerCase());
  // IP addresses have no parent domains.
  const names = isIP(hostname.replace(/^\[|\]$/g, '')) ? [hostname] : parents(hostname);
  for (const name of names) {
    if (port && blocks.has(`${name}:${port}`)) return `${name}:${port}`;
    if (blocks.has(name)) return name;
  }
  return undefined;
}

function splitHost(host: string): { hostname: string; port?: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return m ? { hostname: m[1]!, ...(m[2] ? { port: m[2] } : {}) } : { hostname: host };
}

function parents(hostname: string): string[] {
  const labels = hostname.split('.');
  return labels.map((_, i) => labels.slice(i).join('.')).filter((n) => n !== '');
}

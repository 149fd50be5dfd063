// The keyIds a request's signature headers claim (draft-cavage `Signature`, RFC 9421
// `Signature-Input`), read before anything is verified: only for decisions a liar cannot turn
// against someone else (refusing a blocked domain, refusing a server already over its limit).
import type { IncomingHttpHeaders } from 'node:http';
import { domainOf } from '../remote/domain-health';

type Headers = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** Hosts looked up per request: any real one names one; bounds what a header full of keyIds costs. */
const MAX_CLAIMED_HOSTS = 4;

export function claimedKeyIds(headers: Headers): string[] {
  const signature = [headers.signature, headers['signature-input']].flat().filter((v) => typeof v === 'string').join(',');
  return [...signature.matchAll(/keyid="([^"]*)"/gi)].map((m) => m[1]!);
}

/** Distinct hosts (with port) of the claimed keyIds, the first few. */
export function claimedHosts(headers: Headers): string[] {
  const hosts = new Set(claimedKeyIds(headers).map(domainOf).filter((h): h is string => h !== undefined));
  return [...hosts].slice(0, MAX_CLAIMED_HOSTS);
}

// Inbox POSTs per remote server (INBOX_RATE_LIMIT per INBOX_RATE_WINDOW_SECONDS), so one server
// flooding the inboxes gets 429 with Retry-After while every other server is served as usual.
//
// Counted only once a signature has verified, by the host of the key that verified it (the
// key's owner is on the same origin: actor-resolver checks): a forger can name any server in
// its keyId but cannot spend that server's budget. Before verification, the claimed keyId hosts
// are only read: a server already over its limit is refused at once, before any key lookup or
// RSA check; a forger naming that server is refused too, which costs the server nothing.
// Forged requests themselves are not counted against anyone: they cost a cached key read and a
// failed verify each, and per-address limits belong to the reverse proxy in front.
import type { IncomingHttpHeaders } from 'node:http';
import type { Gateway } from '../gateway';
import type { RateBucket, RateCount } from '../store/inbox-rate';
import { claimedHosts } from './claimed-key-ids';

export type RateVerdict = { ok: true } | { ok: false; host: string; retryAfterSeconds: number; detail: string };

const ALLOWED: RateVerdict = { ok: true };

function refusal(g: Gateway, host: string, at: RateCount): RateVerdict {
  const { inboxRateLimit: limit, inboxRateWindowSeconds: window } = g.config;
  return { ok: false, host, retryAfterSeconds: Math.max(1, Math.ceil(at.resetMs / 1000)), detail: `more than ${limit} inbox POSTs from ${host} in ${window} s` };
}

/** Read-only, from the headers alone: refuses a request whose claimed signer is already over its limit. */
export async function claimedSignerOverLimit(g: Gateway, headers: IncomingHttpHeaders): Promise<RateVerdict> {
  if (g.config.inboxRateLimit === 0) return ALLOWED;
  const hosts = claimedHosts(headers);
  const counts = await g.inboxRate.peek(hosts, 'signed');
  const over = counts.findIndex((c) => c.count >= g.config.inboxRateLimit);
  return over < 0 ? ALLOWED : refusal(g, hosts[over]!, counts[over]!);
}

/**
 * Counts an authenticated POST against its server. An unverified self-Delete (its key is gone,
 * nothing proves who sent it) has its own count per host, so it cannot spend the budget of the
 * server it names, yet copies of it cannot make us fetch from that server without limit.
 */
export async function countInboxPost(g: Gateway, host: string, bucket: RateBucket): Promise<RateVerdict> {
  if (g.config.inboxRateLimit === 0) return ALLOWED;
  const at = await g.inboxRate.hit(host, bucket, g.config.inboxRateWindowSeconds * 1000);
  return at.count > g.config.inboxRateLimit ? refusal(g, host, at) : ALLOWED;
}

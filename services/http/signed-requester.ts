// Who signed a GET (draft-cavage or RFC 9421, as servers in "authorized fetch" mode sign object
// fetches): the actor owning the verified key. Failures are values with the verifier's reason.
import type { Gateway } from '../gateway';
import { verifySignedRequest } from '../inbox/verify-signed-request';

export type SignedRequester = { ok: true; actor: string } | { ok: false; reason: string };

// One verification per request: AUTHORIZED_FETCH checks before the route, which may ask again.
const verdicts = new WeakMap<object, Promise<SignedRequester>>();

export function signedRequester(
  g: Gateway,
  req: { method: string; path: string; headers: Record<string, string | string[] | undefined> },
): Promise<SignedRequester> {
  let verdict = verdicts.get(req.headers);
  if (verdict === undefined) {
    verdict = verify(g, req);
    verdicts.set(req.headers, verdict);
  }
  return verdict;
}

async function verify(
  g: Gateway,
  req: { method: string; path: string; headers: Record<string, string | string[] | undefined> },
): Promise<SignedRequester> {
  // The signature covers Host: one made for another server must not be replayed here.
  const host = typeof req.headers.host === 'string' ? req.headers.host.toLowerCase() : undefined;
  if (host !== new URL(g.config.publicOrigin).host) return { ok: false, reason: 'wrong_host' };
  const { verified, owner } = await verifySignedRequest(g, req);
  if (!verified.ok) return { ok: false, reason: verified.reason };
  return owner ? { ok: true, actor: owner } : { ok: false, reason: 'unknown_key' };
}

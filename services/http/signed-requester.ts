// Who signed a GET (draft-cavage or RFC 9421, as servers in "authorized fetch" mode sign object
// fetches): the actor owning the verified key. Failures are values with the verifier's reason.
import type { KeyObject } from 'node:crypto';
import type { Gateway } from '../gateway';
import { verifyCavageRequest } from '../signatures/cavage-verify';
import { isRfc9421Signed, verifyRfc9421Request } from '../signatures/rfc9421-verify';
import { publicKeyFromPem } from '../signatures/keys';

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
  let owner: string | undefined;
  const lookupKey = async (keyId: string, opts: { refresh: boolean }): Promise<KeyObject | null> => {
    const key = await g.actors.publicKey(keyId, opts);
    owner = key?.owner;
    return key ? publicKeyFromPem(key.publicKeyPem) : null;
  };
  const verified = isRfc9421Signed(req.headers)
    ? await verifyRfc9421Request({ method: req.method, url: `${g.config.publicOrigin}${req.path}`, headers: req.headers }, lookupKey)
    : await verifyCavageRequest({ method: req.method, path: req.path, headers: req.headers }, lookupKey);
  if (!verified.ok) return { ok: false, reason: verified.reason };
  return owner ? { ok: true, actor: owner } : { ok: false, reason: 'unknown_key' };
}

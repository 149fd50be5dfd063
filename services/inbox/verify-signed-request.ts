// Verifies a request's HTTP signature with whichever scheme its headers use (RFC 9421 when
// Signature-Input is present, else draft-cavage), keys resolved through the actor cache; says
// which actor owns the key that verified. Shared by inbox POSTs and signed GETs.
import type { KeyObject } from 'node:crypto';
import type { Gateway } from '../gateway';
import { type VerifyResult, verifyCavageRequest } from '../signatures/cavage-verify';
import { publicKeyFromPem } from '../signatures/keys';
import { isRfc9421Signed, verifyRfc9421Request } from '../signatures/rfc9421-verify';

export interface SignedRequest {
  method: string;
  /** path and query as received */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

export async function verifySignedRequest(g: Gateway, req: SignedRequest): Promise<{ verified: VerifyResult; owner: string | undefined }> {
  let owner: string | undefined;
  const lookupKey = async (keyId: string, opts: { refresh: boolean }): Promise<KeyObject | null> => {
    const key = await g.actors.publicKey(keyId, opts);
    owner = key?.owner;
    return key ? publicKeyFromPem(key.publicKeyPem) : null;
  };
  const body = req.body ? { body: req.body } : {};
  const verified = isRfc9421Signed(req.headers)
    ? await verifyRfc9421Request({ method: req.method, url: `${g.config.publicOrigin}${req.path}`, headers: req.headers, ...body }, lookupKey)
    : await verifyCavageRequest({ method: req.method, path: req.path, headers: req.headers, ...body }, lookupKey);
  return { verified, owner };
}

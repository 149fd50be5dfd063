// RFC 9421 as another implementation does it: http-message-signatures' stock createSigner and
// createVerifier (PEM in, its own crypto calls), none of the gateway's signature code.
import { createHash } from 'node:crypto';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';

export interface PeerSignOptions {
  /** covered components; default @method @target-uri @authority content-digest (with a body) */
  fields?: string[];
  created?: Date;
  /** leave Content-Digest out of the headers (and of the default fields) */
  noDigest?: boolean;
}

/** Headers (Host, Content-Type, Content-Digest, Signature-Input, Signature) for a request to `url`. */
export async function peerSign(method: string, url: string, body: string | undefined, keyId: string, privateKeyPem: string, o: PeerSignOptions = {}): Promise<Record<string, string>> {
  const target = new URL(url);
  const headers: Record<string, string> = { Host: target.host };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/activity+json';
    if (!o.noDigest) headers['Content-Digest'] = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
  }
  const fields = o.fields ?? ['@method', '@target-uri', '@authority', ...(body !== undefined && !o.noDigest ? ['content-digest'] : [])];
  const signed = await httpbis.signMessage(
    { key: createSigner(privateKeyPem, 'rsa-v1_5-sha256', keyId), fields, params: ['created', 'keyid', 'alg'], paramValues: { created: o.created ?? new Date() } },
    { method, url: target, headers },
  );
  return signed.headers as Record<string, string>;
}

/** True when the request carries a valid RFC 9421 signature by `keyId` over method, target and digest. */
export async function peerVerifies(
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string },
  keyId: string,
  publicKeyPem: string,
): Promise<boolean> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
  const digest = headers['content-digest'];
  if (req.body !== '' && digest !== `sha-256=:${createHash('sha256').update(req.body).digest('base64')}:`) return false;
  try {
    const verdict = await httpbis.verifyMessage(
      {
        keyLookup: async (p) => (p.keyid === keyId ? { id: keyId, algs: ['rsa-v1_5-sha256'], verify: createVerifier(publicKeyPem, 'rsa-v1_5-sha256') } : null),
        requiredFields: ['@method', '@target-uri', ...(req.body !== '' ? ['content-digest'] : [])],
        requiredParams: ['created', 'keyid'],
        tolerance: 300,
      },
      { method: req.method, url: req.url, headers },
    );
    return verdict === true;
  } catch {
    return false;
  }
}

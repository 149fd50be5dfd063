// Verifies a received request's draft-cavage signature with joyent's http-signature: an
// implementation independent of the gateway's own signer.
import type { ReceivedRequest } from './remote-server';

// http-signature ships no types.
const httpSignature = require('http-signature') as {
  parseRequest(req: unknown, opts?: unknown): { keyId: string; params: { headers: string[] } };
  verifySignature(parsed: unknown, pubkey: string): boolean;
};

export function independentlyVerified(req: ReceivedRequest, publicKeyPem: string): { ok: boolean; keyId: string; headers: string[] } {
  const parsed = httpSignature.parseRequest(
    { method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers },
    { clockSkew: 300 },
  );
  return { ok: httpSignature.verifySignature(parsed, publicKeyPem), keyId: parsed.keyId, headers: parsed.params.headers };
}

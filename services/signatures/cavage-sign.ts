// Outbound draft-cavage-12 signatures in the shape Mastodon (and everything that talks to it)
// expects: `keyId="…",algorithm="rsa-sha256",headers="(request-target) host date …",signature="…"`.
//
// Why node:crypto and not `http-message-signatures` (its `cavage` export): its signMessage is
// async (the signer returns a Promise) while callers here need the headers synchronously; it
// re-parses every field name through a structured-header parser on each call; it adds
// created/expires unless told otherwise; and it maps `hs2019` to RSA-PSS-SHA512, which is not
// what Mastodon means by hs2019. The string below is three lines of code, and the unit tests
// check it is byte-identical to what that library produces for the same input.
import { type KeyObject, sign } from 'node:crypto';
import { digestHeader } from './digest';
import { httpDate } from './http-date';

export interface CavageSignRequest {
  method: string;
  /** Absolute URL; Host and (request-target) come from it. */
  url: string | URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface CavageSigningKey {
  keyId: string;
  privateKey: KeyObject;
  /**
   * Label for the `algorithm` parameter. Default: `rsa-sha256` for RSA keys (what Mastodon sends and
   * every peer accepts), `hs2019` for Ed25519 keys (cavage-12 has no other name for them).
   * `hs2019` with an RSA key still signs RSASSA-PKCS1-v1_5/SHA-256, as Mastodon does.
   */
  algorithm?: 'rsa-sha256' | 'hs2019';
}

// Set by us from url/body/now; a caller's copy (in any case) would be a duplicate or a lie.
const OWNED = new Set(['host', 'date', 'digest', 'signature']);

/**
 * Returns every header to send: the caller's (minus Host/Date/Digest/Signature) plus `Host`, `Date`,
 * `Digest` (when a body is given, even empty) and `Signature`. Covers
 * `(request-target) host date digest content-type` with a body, `(request-target) host date accept`
 * without one (content-type / accept only when present). Costs one crypto.sign (+ one SHA-256 of the body).
 * Throws only on programmer errors (relative URL, unsupported key type, quote in keyId).
 */
export function signCavageRequest(
  req: CavageSignRequest,
  key: CavageSigningKey,
  now: Date = new Date(),
): Record<string, string> {
  if (/["\\\r\n]/.test(key.keyId)) throw new TypeError('keyId must not contain quotes, backslashes or newlines');
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  const out: Record<string, string> = {};
  let contentType: string | undefined;
  let accept: string | undefined;
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lc = name.toLowerCase();
    if (OWNED.has(lc)) continue;
    out[name] = value;
    if (lc === 'content-type') contentType = value.trim();
    else if (lc === 'accept') accept = value.trim();
  }

  // URL.host drops default ports, matching the Host header clients send.
  const host = url.host;
  const date = httpDate(now);
  const names = ['(request-target)', 'host', 'date'];
  let base = `(request-target): ${req.method.toLowerCase()} ${url.pathname}${url.search}\nhost: ${host}\ndate: ${date}`;
  out.Host = host;
  out.Date = date;
  if (req.body !== undefined) {
    const digest = digestHeader(req.body);
    out.Digest = digest;
    names.push('digest');
    base += `\ndigest: ${digest}`;
    if (contentType !== undefined) {
      names.push('content-type');
      base += `\ncontent-type: ${contentType}`;
    }
  } else if (accept !== undefined) {
    names.push('accept');
    base += `\naccept: ${accept}`;
  }

  const keyType = key.privateKey.asymmetricKeyType;
  let signature: Buffer;
  let algorithm: string;
  if (keyType === 'rsa') {
    signature = sign('sha256', Buffer.from(base), key.privateKey); // PKCS#1 v1.5 is the RSA default
    algorithm = key.algorithm ?? 'rsa-sha256';
  } else if (keyType === 'ed25519') {
    if (key.algorithm === 'rsa-sha256') throw new TypeError('rsa-sha256 needs an RSA key');
    signature = sign(null, Buffer.from(base), key.privateKey);
    algorithm = 'hs2019';
  } else {
    throw new TypeError(`unsupported key type for cavage signing: ${String(keyType)}`);
  }

  out.Signature =
    `keyId="${key.keyId}",algorithm="${algorithm}",headers="${names.join(' ')}",` +
    `signature="${signature.toString('base64')}"`;
  return out;
}

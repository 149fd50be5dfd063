// Outbound RFC 9421 signatures, made by http-message-signatures over our cached KeyObjects.
// Covers what verifiers (Fedify, Mastodon, ours) require: `@method`, `@target-uri`, `@authority`
// and, with a body, `content-digest`; parameters `created`, `keyid` and `alg`.
import { type KeyObject, sign } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { contentDigestHeader } from './content-digest';
import { httpDate } from './http-date';

export interface Rfc9421SignRequest {
  method: string;
  /** Absolute URL: @target-uri and @authority come from it. */
  url: string | URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface Rfc9421SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

// Set by us; a caller's copy would be a duplicate or a lie.
const OWNED = new Set(['host', 'date', 'content-digest', 'signature', 'signature-input', 'digest']);

function algorithmOf(key: KeyObject): { alg: string; sign: (data: Buffer) => Buffer } {
  if (key.asymmetricKeyType === 'rsa') return { alg: 'rsa-v1_5-sha256', sign: (data) => sign('sha256', data, key) };
  if (key.asymmetricKeyType === 'ed25519') return { alg: 'ed25519', sign: (data) => sign(null, data, key) };
  throw new TypeError(`unsupported key type for RFC 9421 signing: ${String(key.asymmetricKeyType)}`);
}

/**
 * Every header to send: the caller's (minus the ones we own) plus `Host`, `Date` (for servers
 * that log or check it), `Content-Digest` when a body is given, `Signature-Input` and `Signature`
 * (label `sig1`). Throws only on programmer errors (relative URL, unsupported key type).
 */
export async function signRfc9421Request(req: Rfc9421SignRequest, key: Rfc9421SigningKey, now: Date = new Date()): Promise<Record<string, string>> {
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) if (!OWNED.has(name.toLowerCase())) headers[name] = value;
  headers.Host = url.host;
  headers.Date = httpDate(now);
  const fields = ['@method', '@target-uri', '@authority'];
  if (req.body !== undefined) {
    headers['Content-Digest'] = contentDigestHeader(req.body);
    fields.push('content-digest');
  }
  const { alg, sign: signer } = algorithmOf(key.privateKey);
  const signed = await httpbis.signMessage(
    {
      key: { id: key.keyId, alg, sign: async (data: Buffer) => signer(data) },
      name: 'sig1',
      fields,
      params: ['created', 'keyid', 'alg'],
      paramValues: { created: now },
    },
    { method: req.method.toUpperCase(), url, headers },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

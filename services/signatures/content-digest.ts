// RFC 9530 `Content-Digest`, which binds the body to an RFC 9421 signature (the signature covers
// the field, the field covers the body): a structured dictionary of byte sequences,
// `sha-256=:<base64>:`. Parsed with structured-headers, the parser http-message-signatures uses.
import * as nodeCrypto from 'node:crypto';
import { parseDictionary } from './structured-fields';

const hashBytes: (alg: string, data: Buffer | string) => Buffer =
  typeof nodeCrypto.hash === 'function'
    ? (alg, data) => nodeCrypto.hash(alg, data, 'buffer')
    : (alg, data) => nodeCrypto.createHash(alg).update(data).digest();

/** `sha-256=:<base64>:`: what Fedify and Mastodon send and accept. */
export function contentDigestHeader(body: Buffer | string): string {
  return `sha-256=:${hashBytes('sha256', body).toString('base64')}:`;
}

// RFC 9530 §5: keys are lowercase; the insecure ones (md5, sha, crc32…) are ignored.
const SUPPORTED: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/**
 * True when the field parses, lists at least one supported digest and every supported one is a
 * byte sequence matching the body. As with `Digest`, one mismatching supported entry fails the
 * lot: "any one matches" would let an attacker add a digest of their own body.
 */
export function verifyContentDigest(header: string, body: Buffer): boolean {
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(header);
  } catch {
    return false;
  }
  let matched = false;
  for (const [name, member] of dict) {
    const hash = SUPPORTED[name];
    if (hash === undefined) continue;
    const value = member[0];
    if (!(value instanceof ArrayBuffer)) return false;
    const expected = hashBytes(hash, body);
    const got = Buffer.from(value);
    if (got.length !== expected.length || !nodeCrypto.timingSafeEqual(got, expected)) return false;
    matched = true;
  }
  return matched;
}

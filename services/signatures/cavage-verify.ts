// Inbound draft-cavage-12 signature verification with Mastodon's policy: rsa-sha256 and hs2019,
// (request-target) + host + date-or-(created) must be signed, a body must be bound by a signed
// Digest. Expected failures are values (the reason feeds metrics and the 401 body), never throws.
// Cheap checks run before lookupKey so replayed or stale requests cannot trigger key fetches.
import { type KeyObject, verify } from 'node:crypto';
import { verifyDigestHeader } from './digest';
import { verifyWithKeyRefresh } from './key-refresh';

export interface ParsedSignature {
  keyId: string;
  /** Lowercased; absent when the header has none (treated as hs2019, like Mastodon). */
  algorithm?: string;
  /** Lowercased covered header names, defaulted as Mastodon does when `headers` is absent. */
  headers: string[];
  signature: Buffer;
  created?: number;
  expires?: number;
}

export type SignatureParseFailure = { error: string };

export type VerifyFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'unsupported_algorithm'
  | 'missing_covered_header'
  | 'date_out_of_window'
  | 'digest_mismatch'
  | 'missing_digest'
  | 'unknown_key'
  /** lookupKey threw (e.g. the key owner's server is down): worth a retry, unlike bad_signature. */
  | 'key_lookup_failed'
  | 'bad_signature';

export type VerifyResult = { ok: true; keyId: string; algorithm: string } | { ok: false; reason: VerifyFailure; detail?: string };

export interface VerifyRequest {
  method: string;
  /** Path + query exactly as received (the signer signed the raw request-target). */
  path: string;
  /** Node-style: lowercased names, duplicates joined or as arrays. */
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

/** `refresh: true` means "bypass your cache and fetch again": the actor may have rotated its key. */
export type KeyLookup = (keyId: string, opts: { refresh: boolean }) => Promise<KeyObject | null>;

export interface VerifyOptions {
  now?: Date;
  /** Allowed clock difference for Date / (created) / (expires), default 3600 (Mastodon's margin). */
  maxSkewSeconds?: number;
  /** Refuse a non-empty body whose Digest is not signed (default true). */
  requireDigestForBody?: boolean;
}

const SUPPORTED_ALGORITHMS = new Set(['rsa-sha256', 'hs2019']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,12}(\.\d+)?$/;
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Parses a `Signature` header value (or what follows `Authorization: Signature `). */
export function parseSignatureHeader(value: string): ParsedSignature | SignatureParseFailure {
  const params = new Map<string, string>();
  const n = value.length;
  const hasBackslash = value.includes('\\');
  let i = 0;
  while (i < n) {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i >= n) break;
    const eq = value.indexOf('=', i);
    if (eq < 0) return { error: 'parameter without "="' };
    const name = value.slice(i, eq).trim();
    if (!PARAM_NAME.test(name)) return { error: `bad parameter name "${name.slice(0, 40)}"` };
    i = eq + 1;
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    let v = '';
    if (value[i] === '"') {
      // quoted-string (RFC 7230 §3.2.6), so a comma inside a keyId cannot split the list.
      // Fast path: no backslash before the closing quote (always, in practice) → one slice.
      const close = value.indexOf('"', i + 1);
      if (close >= 0 && (!hasBackslash || value.lastIndexOf('\\', close) < i)) {
        v = value.slice(i + 1, close);
        i = close + 1;
      } else {
        i++;
        for (;;) {
          if (i >= n) return { error: 'unterminated quoted string' };
          const c = value[i++];
          if (c === '"') break;
          if (c === '\\') {
            if (i >= n) return { error: 'unterminated quoted string' };
            v += value[i++];
          } else v += c;
        }
      }
    } else {
      let j = i;
      while (j < n && value[j] !== ',') j++;
      v = value.slice(i, j).trim();
      i = j;
    }
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < n && value[i] !== ',') return { error: `junk after parameter ${name}` };
    // Names are case-sensitive in the draft but peers vary ("keyid"); duplicates are ambiguous.
    const key = name.toLowerCase();
    if (params.has(key)) return { error: `duplicate parameter ${name}` };
    params.set(key, v);
  }

  const keyId = params.get('keyid');
  if (!keyId) return { error: 'keyId missing' };
  const sig = params.get('signature');
  if (!sig || !BASE64.test(sig)) return { error: 'signature missing or not base64' };
  const algorithm = params.get('algorithm')?.toLowerCase();
  const out: ParsedSignature = { keyId, headers: [], signature: Buffer.from(sig, 'base64') };
  if (algorithm !== undefined) out.algorithm = algorithm;

  const headers = params.get('headers');
  if (headers === undefined) {
    // Mastodon's defaults: cavage-12 says (created), older drafts and rsa-sha256 signers mean date.
    out.headers = algorithm === undefined || algorithm === 'hs2019' ? ['(created)'] : ['date'];
  } else {
    out.headers = headers.toLowerCase().split(/[ \t]+/).filter((h) => h !== '');
    if (out.headers.length === 0) return { error: 'empty headers parameter' };
  }
  for (const p of ['created', 'expires'] as const) {
    const raw = params.get(p);
    if (raw === undefined) continue;
    if (!TIMESTAMP.test(raw)) return { error: `${p} is not a timestamp` };
    out[p] = Number(raw);
  }
  return out;
}

function headerValue(headers: VerifyRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  // cavage-12 §2.3: trim, and join repeated fields with ", " (what Node does for most fields).
  return Array.isArray(v) ? v.map((s) => s.trim()).join(', ') : v.trim();
}

type Fail = { ok: false; reason: VerifyFailure; detail?: string };
const fail = (reason: VerifyFailure, detail?: string): Fail => (detail === undefined ? { ok: false, reason } : { ok: false, reason, detail });

/**
 * The cavage signing string for the covered names, or why it cannot be built.
 * Exported for diagnostics and tests; it applies no policy beyond the draft's own rules.
 */
export function cavageSigningString(
  req: Pick<VerifyRequest, 'method' | 'path' | 'headers'>,
  sig: Pick<ParsedSignature, 'headers' | 'algorithm' | 'created' | 'expires'>,
): { ok: true; value: string } | Fail {
  const lines: string[] = [];
  for (const name of sig.headers) {
    if (name === '(request-target)') {
      lines.push(`(request-target): ${req.method.toLowerCase()} ${req.path}`);
    } else if (name === '(created)' || name === '(expires)') {
      // cavage-12 §2.3: these MUST fail with rsa-*/hmac-*/ecdsa-* algorithms; Mastodon agrees.
      if (sig.algorithm !== undefined && sig.algorithm !== 'hs2019') {
        return fail('malformed_signature', `${name} is not allowed with ${sig.algorithm}`);
      }
      const v = name === '(created)' ? sig.created : sig.expires;
      if (v === undefined) return fail('malformed_signature', `${name} covered but its parameter is missing`);
      lines.push(`${name}: ${v}`);
    } else if (name.startsWith('(')) {
      return fail('malformed_signature', `unknown pseudo-header ${name}`);
    } else {
      const v = headerValue(req.headers, name);
      if (v === undefined) return fail('missing_covered_header', `${name} is signed but absent`);
      lines.push(`${name}: ${v}`);
    }
  }
  return { ok: true, value: lines.join('\n') };
}

// Comparisons are written as !(within) so a NaN anywhere (bad `now`, bad skew) fails closed.
function checkTime(sig: ParsedSignature, dateHeader: string | undefined, nowMs: number, skewMs: number): Fail | null {
  if (sig.headers.includes('date')) {
    const t = dateHeader === undefined ? NaN : Date.parse(dateHeader);
    if (Number.isNaN(t)) return fail('date_out_of_window', 'unparseable Date header');
    if (!(Math.abs(nowMs - t) <= skewMs)) return fail('date_out_of_window', `Date is ${Math.round((nowMs - t) / 1000)}s from now`);
  }
  // Only covered parameters are authenticated; uncovered created/expires are ignored.
  if (sig.headers.includes('(created)') && sig.created !== undefined) {
    const t = sig.created * 1000;
    if (!(Math.abs(nowMs - t) <= skewMs)) return fail('date_out_of_window', `(created) is ${Math.round((nowMs - t) / 1000)}s from now`);
  }
  if (sig.headers.includes('(expires)') && sig.expires !== undefined && !(nowMs - sig.expires * 1000 <= skewMs)) {
    return fail('date_out_of_window', '(expires) has passed');
  }
  return null;
}

function verifyWith(key: KeyObject, algorithm: string, data: Buffer, signature: Buffer): boolean {
  try {
    // hs2019 means "whatever the key is": PKCS#1 v1.5/SHA-256 for RSA as Mastodon does (not PSS).
    if (key.asymmetricKeyType === 'rsa') return verify('sha256', data, key, signature);
    if (key.asymmetricKeyType === 'ed25519') return algorithm === 'hs2019' && verify(null, data, key, signature);
    return false;
  } catch {
    return false; // e.g. a key OpenSSL refuses for this operation: as good as a wrong key
  }
}

export async function verifyCavageRequest(
  req: VerifyRequest,
  lookupKey: KeyLookup,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  let raw = headerValue(req.headers, 'signature');
  if (raw === undefined) {
    const auth = headerValue(req.headers, 'authorization');
    if (auth !== undefined && /^signature[ \t]/i.test(auth)) raw = auth.slice(10);
  }
  if (raw === undefined || raw === '') return fail('missing_signature');

  const parsed = parseSignatureHeader(raw);
  if ('error' in parsed) return fail('malformed_signature', parsed.error);
  const algorithm = parsed.algorithm ?? 'hs2019';
  if (!SUPPORTED_ALGORITHMS.has(algorithm)) return fail('unsupported_algorithm', algorithm);

  const covered = parsed.headers;
  for (const required of ['(request-target)', 'host']) {
    if (!covered.includes(required)) return fail('missing_covered_header', `${required} must be signed`);
  }
  if (!covered.includes('date') && !covered.includes('(created)')) {
    return fail('missing_covered_header', 'date or (created) must be signed');
  }

  const base = cavageSigningString(req, parsed);
  if (!base.ok) return base;

  const timeFailure = checkTime(
    parsed,
    headerValue(req.headers, 'date'),
    (opts.now ?? new Date()).getTime(),
    (opts.maxSkewSeconds ?? 3600) * 1000,
  );
  if (timeFailure) return timeFailure;

  const body = req.body ?? Buffer.alloc(0);
  if (covered.includes('digest')) {
    // Present: cavageSigningString already failed on a signed-but-absent header.
    if (!verifyDigestHeader(headerValue(req.headers, 'digest') ?? '', body)) {
      return fail('digest_mismatch', 'Digest does not match the body (or has no SHA-256/SHA-512)');
    }
  } else if (body.length > 0 && (opts.requireDigestForBody ?? true)) {
    return fail('missing_digest', 'a request body needs a signed Digest header');
  }

  const data = Buffer.from(base.value);
  return verifyWithKeyRefresh(parsed.keyId, lookupKey, (key) => (verifyWith(key, algorithm, data, parsed.signature) ? algorithm : null));
}

// Inbound RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`): the signature base
// is built by http-message-signatures, the check is node:crypto over our cached KeyObjects. Our
// policy sits in front, as for cavage: a `created` within the window, the request's method and
// target (`@target-uri`, or `@authority` + `@path` (+ `@query` when there is one)) covered, and
// a body bound by a covered, matching `Content-Digest`. Cheap checks run before lookupKey so
// stale or incomplete requests cannot trigger key fetches. Expected failures are values.
import { type KeyObject, constants, verify } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { type Dictionary, type InnerList, type Item, isInnerList, parseDictionary, serializeItem, serializeList } from './structured-fields';
import type { KeyLookup, VerifyFailure, VerifyOptions, VerifyResult } from './cavage-verify';
import { verifyContentDigest } from './content-digest';
import { verifyWithKeyRefresh } from './key-refresh';

export interface Rfc9421Request {
  method: string;
  /** Absolute URL as we are reached: PUBLIC_ORIGIN + the raw request target. */
  url: string;
  /** Node-style: lowercased names. */
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

/** Which scheme a request is signed with, decided by the headers present. */
export function isRfc9421Signed(headers: Rfc9421Request['headers']): boolean {
  return headers['signature-input'] !== undefined;
}

// rsa-v1_5-sha256 is what Fedify and Mastodon sign with; absent alg means "what the key is".
const ALGORITHMS = new Set(['rsa-v1_5-sha256', 'rsa-pss-sha512', 'ed25519']);
const DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '@query-param']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

type Fail = { ok: false; reason: VerifyFailure; detail?: string };
const fail = (reason: VerifyFailure, detail?: string): Fail => (detail === undefined ? { ok: false, reason } : { ok: false, reason, detail });

function field(headers: Rfc9421Request['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

interface Candidate {
  label: string;
  input: InnerList;
  signature: Item;
  keyId: string;
  alg: string | undefined;
  created: number;
  expires: number | undefined;
  /** covered components, lowercased; `plain` when without parameters (;req, ;sf, ;key, ;bs, ;name) */
  components: { name: string; plain: boolean }[];
}

/** The candidate's policy failure, or null when it may be checked cryptographically. */
function policyFailure(c: Candidate, req: Rfc9421Request, url: URL, nowMs: number, skewMs: number, opts: VerifyOptions): Fail | null {
  if (c.alg !== undefined && !ALGORITHMS.has(c.alg)) return fail('unsupported_algorithm', c.alg);
  // A parameterised component (@method;req, content-digest;sf…) is not the plain one the policy asks for.
  const has = (name: string) => c.components.some((k) => k.plain && k.name === name);
  if (!has('@method')) return fail('missing_covered_header', '@method must be signed');
  if (!has('@target-uri')) {
    if (!has('@authority') || !has('@path')) return fail('missing_covered_header', '@target-uri, or @authority and @path, must be signed');
    if (url.search !== '' && !has('@query')) return fail('missing_covered_header', '@query must be signed when there is a query');
  }
  for (const { name } of c.components) {
    if (name.startsWith('@')) {
      if (!DERIVED.has(name)) return fail('malformed_signature', `unknown derived component ${name}`);
    } else if (req.headers[name] === undefined) {
      return fail('missing_covered_header', `${name} is signed but absent`);
    }
  }
  // Comparisons are written as !(within) so a NaN anywhere fails closed.
  if (!(Math.abs(nowMs - c.created * 1000) <= skewMs)) return fail('date_out_of_window', `created is ${Math.round(nowMs / 1000 - c.created)}s from now`);
  if (c.expires !== undefined && !(nowMs - c.expires * 1000 <= skewMs)) return fail('date_out_of_window', 'expires has passed');
  const body = req.body ?? Buffer.alloc(0);
  if (has('content-digest')) {
    if (!verifyContentDigest(field(req.headers, 'content-digest') ?? '', body)) {
      return fail('digest_mismatch', 'Content-Digest does not match the body (or has no sha-256/sha-512)');
    }
  } else if ((opts.requireDigestForBody ?? true) && (body.length > 0 || METHODS_WITH_BODY.has(req.method.toUpperCase()))) {
    return fail('missing_digest', 'a request body needs a signed Content-Digest');
  }
  return null;
}

/** Reads one Signature-Input member; a string when it is unusable. */
function candidateOf(label: string, input: Item | InnerList, signatures: Dictionary): Candidate | string {
  if (!isInnerList(input)) return `${label}: not an inner list`;
  const signature = signatures.get(label);
  if (!signature || isInnerList(signature) || !(signature[0] instanceof ArrayBuffer)) return `${label}: no matching byte sequence in Signature`;
  const [items, params] = input;
  const keyId = params.get('keyid');
  if (typeof keyId !== 'string' || keyId === '') return `${label}: keyid missing`;
  const created = params.get('created');
  if (typeof created !== 'number' || !Number.isInteger(created)) return `${label}: created missing or not an integer`;
  const expires = params.get('expires');
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires))) return `${label}: expires is not an integer`;
  const alg = params.get('alg');
  if (alg !== undefined && typeof alg !== 'string') return `${label}: alg is not a string`;
  const components: Candidate['components'] = [];
  for (const [name, itemParams] of items) {
    if (typeof name !== 'string') return `${label}: component names are strings`;
    components.push({ name: name.toLowerCase(), plain: itemParams.size === 0 });
  }
  return { label, input, signature, keyId, alg, created, expires: expires as number | undefined, components };
}

/** The RFC 9421 algorithm the signature verifies under with this key, or null. */
function verifyWith(key: KeyObject, alg: string | undefined, data: Buffer, signature: Buffer): string | null {
  const pkcs1 = () => verify('sha256', data, key, signature) && 'rsa-v1_5-sha256';
  const pss = () => verify('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signature) && 'rsa-pss-sha512';
  try {
    const type = key.asymmetricKeyType;
    let verdict: string | false = false;
    if (type === 'rsa-pss') verdict = (alg === undefined || alg === 'rsa-pss-sha512') && pss();
    else if (type === 'rsa') {
      if (alg === 'rsa-pss-sha512') verdict = pss();
      else if (alg === 'rsa-v1_5-sha256') verdict = pkcs1();
      // No alg: an RSA key admits both RFC 9421 RSA algorithms; the common one is tried first.
      else if (alg === undefined) verdict = pkcs1() || pss();
    } else if (type === 'ed25519' && (alg === undefined || alg === 'ed25519')) {
      verdict = verify(null, data, key, signature) && 'ed25519';
    }
    return verdict || null;
  } catch {
    return null; // a key OpenSSL refuses for this operation is as good as a wrong key
  }
}

/**
 * The signature base of one member, built by http-message-signatures (component derivation,
 * field canonicalisation, `@signature-params`) exactly as its verifyMessage does, or why not.
 * Its verifyMessage itself is not called: it would parse both fields again and go through
 * promises per member, a fifth of verification speed for nothing our policy has not checked.
 */
function signatureBase(req: Rfc9421Request, url: URL, c: Candidate): Buffer | Fail {
  try {
    const fields = c.input[0].map((item) => serializeItem(item));
    // Node never gives undefined header values; the cast only narrows the declared type.
    const base = httpbis.createSignatureBase({ fields }, { method: req.method, url, headers: req.headers as Record<string, string | string[]> });
    base.push(['"@signature-params"', [serializeList([c.input])]]);
    return Buffer.from(httpbis.formatSignatureBase(base));
  } catch (e) {
    return fail('malformed_signature', (e as Error).message);
  }
}

export async function verifyRfc9421Request(req: Rfc9421Request, lookupKey: KeyLookup, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const inputField = field(req.headers, 'signature-input');
  const signatureField = field(req.headers, 'signature');
  if (!inputField || !signatureField) return fail('missing_signature', 'RFC 9421 needs both Signature-Input and Signature');
  let inputs: Dictionary;
  let signatures: Dictionary;
  try {
    inputs = parseDictionary(inputField);
    signatures = parseDictionary(signatureField);
  } catch (e) {
    return fail('malformed_signature', (e as Error).message);
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fail('malformed_signature', 'request URL does not parse');
  }
  const nowMs = (opts.now ?? new Date()).getTime();
  const skewMs = (opts.maxSkewSeconds ?? 3600) * 1000;

  // Several signatures may be present (e.g. one added by a proxy): the first that meets the
  // policy is the one checked; when none does, the first one's reason is reported.
  let chosen: Candidate | undefined;
  let firstFailure: Fail | undefined;
  for (const [label, input] of inputs) {
    const c = candidateOf(label, input, signatures);
    const failure = typeof c === 'string' ? fail('malformed_signature', c) : policyFailure(c, req, url, nowMs, skewMs, opts);
    if (failure) firstFailure ??= failure;
    else if (typeof c !== 'string') {
      chosen = c;
      break;
    }
  }
  if (!chosen) return firstFailure ?? fail('missing_signature', 'Signature-Input is empty');

  const base = signatureBase(req, url, chosen);
  if (!Buffer.isBuffer(base)) return base;
  const signature = Buffer.from(chosen.signature[0] as ArrayBuffer);
  const signed = chosen;
  return verifyWithKeyRefresh(signed.keyId, lookupKey, (key) => verifyWith(key, signed.alg, base, signature));
}

// Our RFC 9421 signer against our verifier and the library's stock verifier, and the policy
// refusals that the Appendix B vectors do not reach.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createVerifier, httpbis } from 'http-message-signatures';
import { contentDigestHeader, verifyContentDigest } from '../../../services/signatures/content-digest';
import { signRfc9421Request } from '../../../services/signatures/rfc9421-sign';
import { type Rfc9421Request, isRfc9421Signed, verifyRfc9421Request } from '../../../services/signatures/rfc9421-verify';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const keyId = 'https://gw.example/users/alice#main-key';
const url = 'https://mastodon.example/users/bob/inbox';
const body = '{"type":"Like"}';
const now = new Date('2026-12-01T12:00:00Z');
const lookup = async (id: string) => (id === keyId ? rsa.publicKey : null);

/** What a server receives: lowercased header names, as Node gives them. */
async function received(over: { privateKey?: typeof rsa.privateKey; body?: string; method?: string } = {}): Promise<Rfc9421Request> {
  const sent = await signRfc9421Request(
    { method: over.method ?? 'POST', url, headers: { 'content-type': 'application/activity+json' }, ...(over.method === 'GET' ? {} : { body: over.body ?? body }) },
    { keyId, privateKey: over.privateKey ?? rsa.privateKey },
    now,
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sent)) headers[k.toLowerCase()] = v;
  return { method: over.method ?? 'POST', url, headers, ...(over.method === 'GET' ? {} : { body: Buffer.from(body) }) };
}

describe('contentDigestHeader / verifyContentDigest (RFC 9530)', () => {
  const b = Buffer.from(body);
  const sha = (alg: string, data: Buffer | string = b) => createHash(alg).update(data).digest('base64');

  it('writes sha-256 as a byte sequence and reads sha-256 and sha-512', () => {
    expect(contentDigestHeader(b)).toBe(`sha-256=:${sha('sha256')}:`);
    expect(verifyContentDigest(`sha-512=:${sha('sha512')}:`, b)).toBe(true);
    expect(verifyContentDigest(`md5=:${sha('md5')}:, sha-256=:${sha('sha256')}:`, b)).toBe(true);
  });

  it('refuses unknown-only, unparseable, non-byte-sequence and partly mismatching fields', () => {
    expect(verifyContentDigest(`md5=:${sha('md5')}:`, b)).toBe(false);
    expect(verifyContentDigest(`sha-256=${sha('sha256')}`, b)).toBe(false);
    expect(verifyContentDigest('sha-256=:!!:', b)).toBe(false);
    expect(verifyContentDigest('', b)).toBe(false);
    expect(verifyContentDigest(`sha-256=:${sha('sha256')}:, sha-512=:${sha('sha512', 'other')}:`, b)).toBe(false);
  });
});

describe('signRfc9421Request', () => {
  it('covers @method, @target-uri, @authority and content-digest, with created, keyid and alg', async () => {
    const req = await received();
    expect(req.headers['signature-input']).toBe(`sig1=("@method" "@target-uri" "@authority" "content-digest");created=${now.getTime() / 1000};keyid="${keyId}";alg="rsa-v1_5-sha256"`);
    expect(req.headers['content-digest']).toBe(contentDigestHeader(body));
    expect(req.headers.host).toBe('mastodon.example');
    expect(req.headers.date).toBe(now.toUTCString());
    expect(isRfc9421Signed(req.headers)).toBe(true);
  });

  it("verifies with the library's stock verifier (createVerifier), independently of ours", async () => {
    const req = await received();
    const verdict = await httpbis.verifyMessage(
      { keyLookup: async (p) => (p.keyid === keyId ? { id: keyId, algs: ['rsa-v1_5-sha256'], verify: createVerifier(rsa.publicKey, 'rsa-v1_5-sha256') } : null) },
      { method: req.method, url: req.url, headers: req.headers as Record<string, string> },
    );
    expect(verdict).toBe(true);
  });
});

describe('verifyRfc9421Request', () => {
  it('verifies what we sign (RSA and Ed25519), POST and GET', async () => {
    await expect(verifyRfc9421Request(await received(), lookup, { now })).resolves.toEqual({ ok: true, keyId, algorithm: 'rsa-v1_5-sha256' });
    await expect(verifyRfc9421Request(await received({ method: 'GET' }), lookup, { now })).resolves.toMatchObject({ ok: true });
    const edReq = await received({ privateKey: ed.privateKey });
    await expect(verifyRfc9421Request(edReq, async () => ed.publicKey, { now })).resolves.toEqual({ ok: true, keyId, algorithm: 'ed25519' });
  });

  it('refetches a rotated key once, and fails when the fresh key does not verify either', async () => {
    const stale = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const calls: boolean[] = [];
    const rotating = async (_id: string, o: { refresh: boolean }) => (calls.push(o.refresh), o.refresh ? rsa.publicKey : stale);
    await expect(verifyRfc9421Request(await received(), rotating, { now })).resolves.toMatchObject({ ok: true });
    expect(calls).toEqual([false, true]);
    await expect(verifyRfc9421Request(await received(), async () => stale, { now })).resolves.toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('maps missing and failing key lookups to unknown_key and key_lookup_failed', async () => {
    await expect(verifyRfc9421Request(await received(), async () => null, { now })).resolves.toEqual({ ok: false, reason: 'unknown_key', detail: keyId });
    const down = async () => {
      throw new Error('ECONNREFUSED');
    };
    await expect(verifyRfc9421Request(await received(), down, { now })).resolves.toEqual({ ok: false, reason: 'key_lookup_failed', detail: 'ECONNREFUSED' });
  });

  it('refuses a swapped body by its digest', async () => {
    const req = { ...(await received()), body: Buffer.from('{"type":"Block"}') };
    await expect(verifyRfc9421Request(req, lookup, { now })).resolves.toMatchObject({ ok: false, reason: 'digest_mismatch' });
  });

  it.each([
    ['no Signature header', (h: Record<string, string>) => delete h.signature, 'missing_signature'],
    ['garbage Signature-Input', (h: Record<string, string>) => (h['signature-input'] = '(((('), 'malformed_signature'],
    ['no created', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace(/;created=\d+/, '')), 'malformed_signature'],
    ['no keyid', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace(/;keyid="[^"]+"/, '')), 'malformed_signature'],
    ['labels that do not match', (h: Record<string, string>) => (h.signature = h.signature!.replace('sig1=', 'sig2=')), 'malformed_signature'],
    ['@method only as @method;req', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace('"@method"', '"@method";req')), 'missing_covered_header'],
    ['content-digest not covered', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace(' "content-digest"', '')), 'missing_digest'],
    ['neither @target-uri nor @path', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace('"@target-uri" ', '')), 'missing_covered_header'],
    ['a covered header that is absent', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace('"content-digest"', '"content-digest" "x-nope"')), 'missing_covered_header'],
    ['an expires long past', (h: Record<string, string>) => (h['signature-input'] = h['signature-input']!.replace(';keyid', `;expires=${now.getTime() / 1000 - 7200};keyid`)), 'date_out_of_window'],
  ])('%s → %s, without a key lookup', async (_what, change, reason) => {
    const req = await received();
    change(req.headers as Record<string, string>);
    const none = async () => {
      throw new Error('no lookup expected');
    };
    await expect(verifyRfc9421Request(req, none, { now })).resolves.toMatchObject({ ok: false, reason });
  });

  it('of several signatures, checks the first that meets the policy', async () => {
    const req = await received();
    const h = req.headers as Record<string, string>;
    h['signature-input'] = `proxy=("@authority");created=${now.getTime() / 1000};keyid="proxy-key", ${h['signature-input']}`;
    h.signature = `proxy=:AAAA:, ${h.signature}`;
    await expect(verifyRfc9421Request(req, lookup, { now })).resolves.toEqual({ ok: true, keyId, algorithm: 'rsa-v1_5-sha256' });
  });
});

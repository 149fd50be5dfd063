// RFC 9421 Appendix B vectors, read from ../shared (not copied here).
import { type KeyObject, createPublicKey } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { verifyContentDigest } from '../../../services/signatures/content-digest';
import { type Rfc9421Request, verifyRfc9421Request } from '../../../services/signatures/rfc9421-verify';
import { RFC9421_DIR, describeWithFixtures, readFixture } from './fixtures';

interface VectorCase {
  title: string;
  signature_base: string;
  'Signature-Input': string;
  Signature: string;
}

const TEN_YEARS = 10 * 365 * 24 * 3600;
const CREATED = new Date(1618884473 * 1000);

describeWithFixtures(RFC9421_DIR)('RFC 9421 Appendix B vectors', () => {
  let cases: VectorCase[];
  let request: { method: string; url: string; headers: Record<string, string>; body: Buffer };
  const keys: Record<string, KeyObject> = {};
  const lookup = async (keyId: string) => keys[keyId] ?? null;
  const opts = { now: CREATED, maxSkewSeconds: TEN_YEARS };

  beforeAll(() => {
    for (const name of ['test-key-rsa-pss', 'test-key-ed25519', 'test-key-rsa', 'test-key-ecc-p256']) {
      keys[name] = createPublicKey(readFixture(RFC9421_DIR, `${name}.pub.pem`));
    }
    cases = (JSON.parse(readFixture(RFC9421_DIR, 'rfc9421_test_vectors_unfolded.json')) as { cases: VectorCase[] }).cases;
    const raw = readFixture(RFC9421_DIR, 'test-request.http').replace(/\r\n/g, '\n');
    const sep = raw.indexOf('\n\n');
    const [requestLine, ...headerLines] = raw.slice(0, sep).split('\n');
    const [method, target] = (requestLine ?? '').split(' ');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    // The file ends with a newline the message does not have: Content-Length says where the body ends.
    const body = Buffer.from(raw.slice(sep + 2)).subarray(0, Number(headers['content-length']));
    request = { method: method ?? '', url: `https://${headers.host}${target}`, headers, body };
  });

  const caseOf = (title: string): VectorCase => {
    const c = cases.find((v) => v.title === title);
    if (!c) throw new Error(`vector "${title}" missing from fixture`);
    return c;
  };
  const signed = (c: VectorCase, over: Partial<Rfc9421Request> = {}): Rfc9421Request => ({
    ...request,
    headers: { ...request.headers, 'signature-input': c['Signature-Input'], signature: c.Signature },
    ...over,
  });

  it('reads the example request and its Content-Digest (RFC 9530, sha-512) matches the body', () => {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://example.com/foo?param=Value&Pet=dog');
    expect(request.body.toString()).toBe('{"hello": "world"}');
    expect(verifyContentDigest(request.headers['content-digest'] ?? '', request.body)).toBe(true);
    expect(verifyContentDigest(request.headers['content-digest'] ?? '', Buffer.from('{"hello": "World"}'))).toBe(false);
  });

  it.each(['Minimal Signature Using rsa-pss-sha512', 'Selective Covered Components using rsa-pss-sha512', 'Full Coverage using rsa-pss-sha512', 'Signing a Request using hmac-sha256', 'Signing a Request using ed25519'])(
    'the library builds the printed signature base of "%s" from our request shape',
    (title) => {
      const c = caseOf(title);
      const input = c['Signature-Input'].slice(c['Signature-Input'].indexOf('=') + 1);
      const fields = /^\(([^)]*)\)/.exec(input)?.[1]?.match(/"[^"]+"(;[a-z]+="[^"]*")?/g) ?? [];
      const base = httpbis.createSignatureBase({ fields }, { method: request.method, url: request.url, headers: request.headers });
      base.push(['"@signature-params"', [input]]);
      expect(httpbis.formatSignatureBase(base)).toBe(c.signature_base);
    },
  );

  describe('Full Coverage (rsa-pss-sha512): meets our policy', () => {
    const title = 'Full Coverage using rsa-pss-sha512';

    it('verifies, Content-Digest checked against the body', async () => {
      await expect(verifyRfc9421Request(signed(caseOf(title)), lookup, opts)).resolves.toEqual({ ok: true, keyId: 'test-key-rsa-pss', algorithm: 'rsa-pss-sha512' });
    });

    it.each([
      ['method', { method: 'PUT' }],
      ['query', { url: 'https://example.com/foo?param=Value&Pet=cat' }],
      ['authority', { url: 'https://example.org/foo?param=Value&Pet=dog' }],
    ])('tampered %s → bad_signature', async (_what, over: Partial<Rfc9421Request>) => {
      await expect(verifyRfc9421Request(signed(caseOf(title), over), lookup, opts)).resolves.toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('tampered covered header (content-length) → bad_signature', async () => {
      const req = signed(caseOf(title));
      req.headers['content-length'] = '19';
      await expect(verifyRfc9421Request(req, lookup, opts)).resolves.toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('tampered body → digest_mismatch, before any key lookup', async () => {
      let lookups = 0;
      const counting = async (id: string) => (lookups++, lookup(id));
      await expect(verifyRfc9421Request(signed(caseOf(title), { body: Buffer.from('{"hello": "World"}') }), counting, opts)).resolves.toMatchObject({ ok: false, reason: 'digest_mismatch' });
      expect(lookups).toBe(0);
    });

    it('tampered signature bytes → bad_signature', async () => {
      const c = caseOf(title);
      const sig = c.Signature.replace(':bbN8', ':bbN9');
      await expect(verifyRfc9421Request(signed({ ...c, Signature: sig }), lookup, opts)).resolves.toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('is stale with the default one-hour window, on either side', async () => {
      for (const offset of [3601_000, -3601_000]) {
        const now = new Date(CREATED.getTime() + offset);
        await expect(verifyRfc9421Request(signed(caseOf(title)), lookup, { now })).resolves.toMatchObject({ ok: false, reason: 'date_out_of_window' });
      }
      await expect(verifyRfc9421Request(signed(caseOf(title)), lookup, { now: new Date(CREATED.getTime() + 3599_000) })).resolves.toMatchObject({ ok: true });
    });

    it('labelled with another alg than the key is for → bad_signature', async () => {
      const c = caseOf(title);
      const input = c['Signature-Input'].replace(';keyid=', ';alg="rsa-v1_5-sha256";keyid=');
      await expect(verifyRfc9421Request(signed({ ...c, 'Signature-Input': input }), lookup, opts)).resolves.toEqual({ ok: false, reason: 'bad_signature' });
    });
  });

  describe('ed25519 (covers @path but not @query, nor content-digest)', () => {
    const title = 'Signing a Request using ed25519';
    const noQuery = { url: 'https://example.com/foo' };

    it('is refused as sent: the query could be changed unnoticed', async () => {
      await expect(verifyRfc9421Request(signed(caseOf(title)), lookup, { ...opts, requireDigestForBody: false })).resolves.toEqual({
        ok: false,
        reason: 'missing_covered_header',
        detail: '@query must be signed when there is a query',
      });
    });

    it('without the query, a POST without a signed Content-Digest is still refused', async () => {
      await expect(verifyRfc9421Request(signed(caseOf(title), noQuery), lookup, opts)).resolves.toMatchObject({ ok: false, reason: 'missing_digest' });
    });

    it('without the query, verifies with requireDigestForBody: false', async () => {
      await expect(verifyRfc9421Request(signed(caseOf(title), noQuery), lookup, { ...opts, requireDigestForBody: false })).resolves.toEqual({
        ok: true,
        keyId: 'test-key-ed25519',
        algorithm: 'ed25519',
      });
    });
  });

  describe('vectors that do not meet our policy are refused before a key lookup', () => {
    it.each([
      ['Minimal Signature Using rsa-pss-sha512', 'missing_covered_header', '@method must be signed'],
      ['Selective Covered Components using rsa-pss-sha512', 'missing_covered_header', '@method must be signed'],
      ['Signing a Request using hmac-sha256', 'missing_covered_header', '@method must be signed'],
    ])('%s → %s', async (title, reason, detail) => {
      const none = async () => {
        throw new Error('no lookup expected');
      };
      await expect(verifyRfc9421Request(signed(caseOf(title)), none, opts)).resolves.toEqual({ ok: false, reason, detail });
    });

    it('an unknown alg → unsupported_algorithm', async () => {
      const c = caseOf('Full Coverage using rsa-pss-sha512');
      const input = c['Signature-Input'].replace(';keyid=', ';alg="hmac-sha256";keyid=');
      await expect(verifyRfc9421Request(signed({ ...c, 'Signature-Input': input }), lookup, opts)).resolves.toEqual({ ok: false, reason: 'unsupported_algorithm', detail: 'hmac-sha256' });
    });
  });
});

// draft-cavage-http-signatures-12 Appendix C vectors, read from ../shared (not copied here).
import { type KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import {
  type ParsedSignature,
  type VerifyRequest,
  cavageSigningString,
  parseSignatureHeader,
  verifyCavageRequest,
} from '../../../services/signatures/cavage-verify';
import { CAVAGE_DIR, describeWithFixtures, readFixture } from './fixtures';

interface VectorCase {
  name: string;
  signing_string: string;
  Authorization: string;
  Signature?: string;
  verified_here: string;
}

const TEN_YEARS = 10 * 365 * 24 * 3600;

describeWithFixtures(CAVAGE_DIR)('cavage-12 Appendix C vectors', () => {
  let pub: KeyObject;
  let priv: KeyObject;
  let cases: Record<string, VectorCase>;
  let base: { method: string; path: string; headers: Record<string, string>; body: Buffer };
  let now: Date;
  const lookup = async () => pub;

  beforeAll(() => {
    pub = createPublicKey(readFixture(CAVAGE_DIR, 'test-key.pub.pem'));
    priv = createPrivateKey(readFixture(CAVAGE_DIR, 'test-key.priv.pem'));
    const json = JSON.parse(readFixture(CAVAGE_DIR, 'cavage12_test_vectors_unfolded.json')) as { cases: VectorCase[] };
    cases = Object.fromEntries(json.cases.map((c) => [c.name, c]));
    const raw = readFixture(CAVAGE_DIR, 'request.http').replace(/\r\n/g, '\n');
    const sep = raw.indexOf('\n\n');
    const [requestLine, ...headerLines] = raw.slice(0, sep).split('\n');
    const [method, path] = (requestLine ?? '').split(' ');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    base = { method: method ?? '', path: path ?? '', headers, body: Buffer.from(raw.slice(sep + 2)) };
    now = new Date(headers.date ?? '');
  });

  const caseOf = (name: string): VectorCase => {
    const c = cases[name];
    if (!c) throw new Error(`vector ${name} missing from fixture`);
    return c;
  };
  const withHeaders = (extra: Record<string, string>, over: Partial<VerifyRequest> = {}): VerifyRequest => ({
    method: base.method,
    path: base.path,
    headers: { ...base.headers, ...extra },
    ...over,
  });
  const opts = () => ({ now, maxSkewSeconds: TEN_YEARS });
  const parsed = (header: string): ParsedSignature => {
    const p = parseSignatureHeader(header.replace(/^Signature /, ''));
    if ('error' in p) throw new Error(p.error);
    return p;
  };

  it('reads the example request', () => {
    expect(base.method).toBe('POST');
    expect(base.path).toBe('/foo?param=value&pet=dog');
    expect(base.body.toString()).toBe('{"hello": "world"}');
    expect(now.toUTCString()).toBe('Sun, 05 Jan 2014 21:31:40 GMT');
  });

  describe('Basic Test: (request-target) host date', () => {
    it('builds the printed signing string', () => {
      const c = caseOf('Basic Test');
      expect(cavageSigningString(withHeaders({}), parsed(c.Authorization))).toEqual({ ok: true, value: c.signing_string });
    });

    it('verifies from Authorization: Signature …', async () => {
      const c = caseOf('Basic Test');
      await expect(verifyCavageRequest(withHeaders({ authorization: c.Authorization }), lookup, opts())).resolves.toEqual({
        ok: true,
        keyId: 'Test',
        algorithm: 'rsa-sha256',
      });
    });

    it('verifies from a Signature header', async () => {
      const c = caseOf('Basic Test');
      const sig = c.Authorization.replace(/^Signature /, '');
      await expect(verifyCavageRequest(withHeaders({ signature: sig }), lookup, opts())).resolves.toMatchObject({ ok: true });
    });

    it('with the body attached, the unsigned Digest is refused unless allowed', async () => {
      const req = withHeaders({ authorization: caseOf('Basic Test').Authorization }, { body: base.body });
      await expect(verifyCavageRequest(req, lookup, opts())).resolves.toMatchObject({ ok: false, reason: 'missing_digest' });
      await expect(verifyCavageRequest(req, lookup, { ...opts(), requireDigestForBody: false })).resolves.toMatchObject({ ok: true });
    });

    it.each([
      ['host', { headers: { host: 'example.org' } }],
      ['path', { path: '/foo?param=value&pet=cat' }],
      ['method', { method: 'PUT' }],
      ['date', { headers: { date: 'Sun, 05 Jan 2014 21:31:41 GMT' } }],
    ])('tampered %s → bad_signature', async (_what, change: { headers?: Record<string, string>; path?: string; method?: string }) => {
      const req = withHeaders({ authorization: caseOf('Basic Test').Authorization, ...change.headers });
      if (change.path) req.path = change.path;
      if (change.method) req.method = change.method;
      await expect(verifyCavageRequest(req, lookup, opts())).resolves.toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('tampered signature bytes → bad_signature', async () => {
      const auth = caseOf('Basic Test').Authorization.replace('signature="qdx+', 'signature="qdX+');
      await expect(verifyCavageRequest(withHeaders({ authorization: auth }), lookup, opts())).resolves.toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    });

    it('is stale with the default one-hour window', async () => {
      const req = withHeaders({ authorization: caseOf('Basic Test').Authorization });
      await expect(verifyCavageRequest(req, lookup, { now: new Date(now.getTime() + 3601_000) })).resolves.toMatchObject({
        ok: false,
        reason: 'date_out_of_window',
      });
    });
  });

  describe('Default Test: only date signed', () => {
    it('the vector itself is sound: our signing string verifies with crypto.verify', () => {
      const c = caseOf('Default Test');
      const p = parsed(c.Signature ?? '');
      expect(p.headers).toEqual(['date']); // rsa-sha256 without headers= defaults to date
      const s = cavageSigningString(withHeaders({}), p);
      expect(s).toEqual({ ok: true, value: c.signing_string });
      expect(verify('sha256', Buffer.from(c.signing_string), pub, p.signature)).toBe(true);
    });

    it('is refused by policy: (request-target) and host are not signed', async () => {
      const c = caseOf('Default Test');
      const variants: Record<string, string>[] = [{ signature: c.Signature ?? '' }, { authorization: c.Authorization }];
      for (const header of variants) {
        await expect(verifyCavageRequest(withHeaders(header), lookup, opts())).resolves.toMatchObject({
          ok: false,
          reason: 'missing_covered_header',
        });
      }
    });
  });

  describe('All Headers Test (wrong in the draft)', () => {
    const FULL = '(request-target) (created) (expires) host date content-type digest content-length';

    it('the printed signature covers the string without (created)/(expires), not what headers= says', () => {
      const c = caseOf('All Headers Test');
      const p = parsed(c.Signature ?? '');
      expect(p.headers.join(' ')).toBe(FULL);
      const printed = cavageSigningString(withHeaders({}), { ...p, headers: p.headers.filter((h) => !h.startsWith('(c') && !h.startsWith('(e')) });
      expect(printed).toEqual({ ok: true, value: c.signing_string });
      expect(verify('sha256', Buffer.from(c.signing_string), pub, p.signature)).toBe(true);
    });

    it('as printed (rsa-sha256 + (created)) → malformed_signature, as cavage-12 §2.3 and Mastodon require', async () => {
      const c = caseOf('All Headers Test');
      await expect(verifyCavageRequest(withHeaders({ signature: c.Signature ?? '' }, { body: base.body }), lookup, opts())).resolves.toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it('as printed but labelled hs2019 → bad_signature (the signature does not cover (created)/(expires))', async () => {
      const sig = (caseOf('All Headers Test').Signature ?? '').replace('rsa-sha256', 'hs2019');
      await expect(verifyCavageRequest(withHeaders({ signature: sig }, { body: base.body }), lookup, opts())).resolves.toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    });

    describe('corrected (re-signed over the full string with the test key, labelled hs2019)', () => {
      let corrected: string;
      beforeAll(() => {
        const c = caseOf('All Headers Test');
        const p = parsed(c.Signature ?? '');
        const s = cavageSigningString(withHeaders({}), { ...p, algorithm: 'hs2019' });
        if (!s.ok) throw new Error(s.reason);
        expect(s.value).toBe(`(request-target): post /foo?param=value&pet=dog\n(created): 1402170695\n(expires): 1402170699\n${c.signing_string.split('\n').slice(1).join('\n')}`);
        const fixed = sign('sha256', Buffer.from(s.value), priv).toString('base64');
        // The fixture notes the corrected value it computed; RSA PKCS#1 v1.5 is deterministic.
        const noted = /signature would be ([A-Za-z0-9+/=]+)/.exec(c.verified_here)?.[1];
        if (noted) expect(fixed).toBe(noted);
        corrected = (c.Signature ?? '').replace('rsa-sha256', 'hs2019').replace(/signature="[^"]+"/, `signature="${fixed}"`);
      });

      it('verifies (Digest checked against the body)', async () => {
        await expect(verifyCavageRequest(withHeaders({ signature: corrected }, { body: base.body }), lookup, opts())).resolves.toEqual({
          ok: true,
          keyId: 'Test',
          algorithm: 'hs2019',
        });
      });

      it('tampered body → digest_mismatch', async () => {
        const req = withHeaders({ signature: corrected }, { body: Buffer.from('{"hello": "World"}') });
        await expect(verifyCavageRequest(req, lookup, opts())).resolves.toMatchObject({ ok: false, reason: 'digest_mismatch' });
      });

      it('tampered content-length → bad_signature', async () => {
        const req = withHeaders({ signature: corrected, 'content-length': '19' }, { body: base.body });
        await expect(verifyCavageRequest(req, lookup, opts())).resolves.toEqual({ ok: false, reason: 'bad_signature' });
      });
    });
  });
});

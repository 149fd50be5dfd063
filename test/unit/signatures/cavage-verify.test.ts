// Failure reasons of verifyCavageRequest, one by one, plus the header parser.
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { signCavageRequest } from '../../../services/signatures/cavage-sign';
import { type KeyLookup, type VerifyRequest, parseSignatureHeader, verifyCavageRequest } from '../../../services/signatures/cavage-verify';

const KEY_ID = 'https://remote.example/users/bob#main-key';
const URL_ = 'https://gw.example/users/alice/inbox';
const BODY = '{"type":"Create","object":{"type":"Note","content":"hi"}}';
const NOW = new Date('2025-03-01T10:00:00Z');

const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function signedPost(body: string = BODY, at: Date = NOW): VerifyRequest {
  const sent = signCavageRequest(
    { method: 'POST', url: URL_, headers: { 'content-type': 'application/activity+json' }, body },
    { keyId: KEY_ID, privateKey: good.privateKey },
    at,
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sent)) headers[k.toLowerCase()] = v;
  return { method: 'POST', path: '/users/alice/inbox', headers, body: Buffer.from(body) };
}

/** Hand-made signature over an explicit covered list (for shapes our signer never produces). */
function crafted(covered: string[], params: string, extraHeaders: Record<string, string> = {}, key: KeyObject = good.privateKey): VerifyRequest {
  const headers: Record<string, string> = { host: 'gw.example', date: NOW.toUTCString(), ...extraHeaders };
  const p = Object.fromEntries(params.split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  const lines = covered.map((h) => {
    if (h === '(request-target)') return '(request-target): get /users/alice';
    if (h === '(created)' || h === '(expires)') return `${h}: ${p[h.slice(1, -1)]}`;
    return `${h}: ${headers[h]}`;
  });
  const sig = sign('sha256', Buffer.from(lines.join('\n')), key).toString('base64');
  headers.signature = `keyId="${KEY_ID}",${params}${params ? ',' : ''}headers="${covered.join(' ')}",signature="${sig}"`;
  return { method: 'GET', path: '/users/alice', headers };
}

function counting(first: KeyObject | null, refreshed: KeyObject | null = first): KeyLookup & { calls: boolean[] } {
  const calls: boolean[] = [];
  const fn = async (keyId: string, { refresh }: { refresh: boolean }) => {
    expect(keyId).toBe(KEY_ID);
    calls.push(refresh);
    return refresh ? refreshed : first;
  };
  return Object.assign(fn, { calls });
}

const reasonOf = async (req: VerifyRequest, lookup: KeyLookup = counting(good.publicKey), opts = {}) => {
  const r = await verifyCavageRequest(req, lookup, { now: NOW, ...opts });
  return r.ok ? 'ok' : r.reason;
};

describe('verifyCavageRequest failures', () => {
  it('baseline: a fresh signed POST verifies without a refresh', async () => {
    const lookup = counting(good.publicKey);
    await expect(verifyCavageRequest(signedPost(), lookup, { now: NOW })).resolves.toEqual({ ok: true, keyId: KEY_ID, algorithm: 'rsa-sha256' });
    expect(lookup.calls).toEqual([false]);
  });

  it('missing Signature / non-Signature Authorization → missing_signature', async () => {
    const req = signedPost();
    delete req.headers.signature;
    expect(await reasonOf(req)).toBe('missing_signature');
    expect(await reasonOf({ ...req, headers: { ...req.headers, authorization: 'Bearer abc' } })).toBe('missing_signature');
  });

  it('accepts Authorization: Signature … (scheme case-insensitive)', async () => {
    const req = signedPost();
    const sig = req.headers.signature as string;
    delete req.headers.signature;
    expect(await reasonOf({ ...req, headers: { ...req.headers, authorization: `Signature ${sig}` } })).toBe('ok');
    expect(await reasonOf({ ...req, headers: { ...req.headers, authorization: `signature ${sig}` } })).toBe('ok');
  });

  it.each([
    ['garbage', 'garbage'],
    ['no keyId', 'algorithm="rsa-sha256",headers="date",signature="YWJj"'],
    ['non-base64 signature', 'keyId="k",signature="not base64!"'],
    ['duplicate parameter', 'keyId="k",keyId="j",signature="YWJj"'],
    ['unterminated quote', 'keyId="k,signature="YWJj'],
  ])('%s → malformed_signature', async (_name, value) => {
    const req = signedPost();
    req.headers.signature = value;
    expect(await reasonOf(req)).toBe('malformed_signature');
  });

  it.each(['rsa-sha512', 'hmac-sha256', 'ecdsa-sha256', 'rsa-sha1'])('algorithm %s → unsupported_algorithm, no key lookup', async (alg) => {
    const req = signedPost();
    req.headers.signature = (req.headers.signature as string).replace('rsa-sha256', alg);
    const lookup = counting(good.publicKey);
    expect(await reasonOf(req, lookup)).toBe('unsupported_algorithm');
    expect(lookup.calls).toEqual([]);
  });

  it.each([
    ['host not signed', ['(request-target)', 'date']],
    ['(request-target) not signed', ['host', 'date']],
    ['neither date nor (created) signed', ['(request-target)', 'host']],
  ])('%s → missing_covered_header', async (_name, covered) => {
    expect(await reasonOf(crafted(covered, 'algorithm="rsa-sha256"'))).toBe('missing_covered_header');
  });

  it('a signed header absent from the request → missing_covered_header', async () => {
    const req = signedPost();
    delete req.headers['content-type'];
    expect(await reasonOf(req)).toBe('missing_covered_header');
  });

  it('Date more than an hour old → date_out_of_window (no key lookup)', async () => {
    const lookup = counting(good.publicKey);
    expect(await reasonOf(signedPost(BODY, new Date(NOW.getTime() - 3601_000)), lookup)).toBe('date_out_of_window');
    expect(lookup.calls).toEqual([]);
    expect(await reasonOf(signedPost(BODY, new Date(NOW.getTime() - 3599_000)))).toBe('ok');
  });

  it('Date more than an hour ahead → date_out_of_window', async () => {
    expect(await reasonOf(signedPost(BODY, new Date(NOW.getTime() + 3601_000)))).toBe('date_out_of_window');
    expect(await reasonOf(signedPost(BODY, new Date(NOW.getTime() + 3599_000)))).toBe('ok');
  });

  it('maxSkewSeconds narrows the window; an unparseable Date fails', async () => {
    const req = signedPost(BODY, new Date(NOW.getTime() - 120_000));
    expect(await reasonOf(req, undefined, { maxSkewSeconds: 60 })).toBe('date_out_of_window');
    req.headers.date = 'not a date';
    expect(await reasonOf(req)).toBe('date_out_of_window');
  });

  it('an invalid `now` or skew fails closed', async () => {
    expect(await reasonOf(signedPost(), undefined, { now: new Date('garbage') })).toBe('date_out_of_window');
    expect(await reasonOf(signedPost(), undefined, { maxSkewSeconds: NaN })).toBe('date_out_of_window');
  });

  it('body changed after signing → digest_mismatch', async () => {
    const req = signedPost();
    req.body = Buffer.from(BODY.replace('hi', 'pwned'));
    expect(await reasonOf(req)).toBe('digest_mismatch');
  });

  it('body present but Digest not signed → missing_digest (unless requireDigestForBody: false)', async () => {
    const req = crafted(['(request-target)', 'host', 'date'], 'algorithm="rsa-sha256"');
    req.body = Buffer.from(BODY);
    expect(await reasonOf(req)).toBe('missing_digest');
    expect(await reasonOf(req, undefined, { requireDigestForBody: false })).toBe('ok');
  });

  it('key rotated: stale key first, refreshed key verifies → ok, refresh called exactly once', async () => {
    const lookup = counting(other.publicKey, good.publicKey);
    await expect(verifyCavageRequest(signedPost(), lookup, { now: NOW })).resolves.toEqual({ ok: true, keyId: KEY_ID, algorithm: 'rsa-sha256' });
    expect(lookup.calls).toEqual([false, true]);
  });

  it('wrong key even after refresh → bad_signature, refresh called exactly once', async () => {
    const lookup = counting(other.publicKey);
    expect(await reasonOf(signedPost(), lookup)).toBe('bad_signature');
    expect(lookup.calls).toEqual([false, true]);
  });

  it('unknown key (lookup returns null) → unknown_key, no refresh', async () => {
    const lookup = counting(null);
    expect(await reasonOf(signedPost(), lookup)).toBe('unknown_key');
    expect(lookup.calls).toEqual([false]);
  });

  it('key gone on refresh → unknown_key', async () => {
    expect(await reasonOf(signedPost(), counting(other.publicKey, null))).toBe('unknown_key');
  });

  it('lookup throwing → key_lookup_failed (returned, not thrown)', async () => {
    const lookup: KeyLookup = async () => {
      throw new Error('ECONNREFUSED');
    };
    await expect(verifyCavageRequest(signedPost(), lookup, { now: NOW })).resolves.toEqual({
      ok: false,
      reason: 'key_lookup_failed',
      detail: 'ECONNREFUSED',
    });
  });

  describe('(created) / (expires) (hs2019 only)', () => {
    const created = Math.floor(NOW.getTime() / 1000);

    it('hs2019 with (created) instead of Date verifies', async () => {
      const req = crafted(['(request-target)', 'host', '(created)'], `algorithm="hs2019",created=${created}`);
      delete req.headers.date;
      expect(await reasonOf(req)).toBe('ok');
    });

    it('stale (created) → date_out_of_window', async () => {
      const req = crafted(['(request-target)', 'host', '(created)'], `algorithm="hs2019",created=${created - 7200}`);
      expect(await reasonOf(req)).toBe('date_out_of_window');
    });

    it('(expires) passed by more than the skew → date_out_of_window', async () => {
      const req = crafted(['(request-target)', 'host', 'date', '(expires)'], `algorithm="hs2019",expires=${created - 3601}`);
      expect(await reasonOf(req)).toBe('date_out_of_window');
      const ok = crafted(['(request-target)', 'host', 'date', '(expires)'], `algorithm="hs2019",expires=${created + 300}`);
      expect(await reasonOf(ok)).toBe('ok');
    });

    it('(created) under rsa-sha256 → malformed_signature (cavage-12 §2.3, Mastodon)', async () => {
      const req = crafted(['(request-target)', 'host', '(created)'], `algorithm="rsa-sha256",created=${created}`);
      expect(await reasonOf(req)).toBe('malformed_signature');
    });

    it('(created) covered without a created parameter → malformed_signature', async () => {
      const req = crafted(['(request-target)', 'host', 'date', '(created)'], 'algorithm="hs2019"');
      expect(await reasonOf(req)).toBe('malformed_signature');
    });
  });
});

describe('parseSignatureHeader', () => {
  it('parses quoted and bare values, OWS after commas, quoted commas and escapes', () => {
    expect(
      parseSignatureHeader('keyId="https://a.example/u,1#k", algorithm="RSA-SHA256" , created=1402170695,expires=1402170699.5,headers="(Request-Target) Host  date",signature="YWJj"'),
    ).toEqual({
      keyId: 'https://a.example/u,1#k',
      algorithm: 'rsa-sha256',
      headers: ['(request-target)', 'host', 'date'],
      signature: Buffer.from('abc'),
      created: 1402170695,
      expires: 1402170699.5,
    });
    expect(parseSignatureHeader('keyId="a\\"b",signature="YWJj"')).toMatchObject({ keyId: 'a"b' });
  });

  it('defaults headers like Mastodon: date for rsa-sha256, (created) for hs2019 or no algorithm', () => {
    expect(parseSignatureHeader('keyId="k",algorithm="rsa-sha256",signature="YWJj"')).toMatchObject({ headers: ['date'] });
    expect(parseSignatureHeader('keyId="k",algorithm="hs2019",signature="YWJj"')).toMatchObject({ headers: ['(created)'] });
    expect(parseSignatureHeader('keyId="k",signature="YWJj"')).toMatchObject({ headers: ['(created)'] });
  });

  it('returns { error } rather than throwing', () => {
    for (const bad of ['', 'keyId', 'keyId="k"', 'keyId="k",signature="YWJj",headers=""', 'keyId="k",signature="YWJj",created=soon', 'keyId="k" x,signature="YWJj"']) {
      expect(parseSignatureHeader(bad)).toHaveProperty('error');
    }
  });
});

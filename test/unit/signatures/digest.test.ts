import { createHash } from 'node:crypto';
import { digestHeader, verifyDigestHeader } from '../../../services/signatures/digest';

const body = Buffer.from('{"hello": "world"}');
const b64 = (alg: string) => createHash(alg).update(body).digest('base64');

describe('digestHeader', () => {
  it('matches the cavage-12 example request digest', () => {
    expect(digestHeader(body)).toBe('SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=');
    expect(digestHeader(body.toString())).toBe(digestHeader(body));
  });

  it('gives each body its own digest though the last one is remembered, a reused Buffer too', () => {
    const sha = (b: Buffer | string) => `SHA-256=${createHash('sha256').update(b).digest('base64')}`;
    const reused = Buffer.from('{"n": 1}');
    expect(digestHeader(reused)).toBe(sha('{"n": 1}'));
    reused.write('2', 6); // the caller fills the same Buffer with the next body
    expect(digestHeader(reused)).toBe(sha('{"n": 2}'));
    for (const text of ['{"a": 1}', '{"a": 1}', '{"b": 2}', '{"a": 1}']) expect(digestHeader(text)).toBe(sha(text));
    expect(digestHeader(Buffer.from('{"a": 1}'))).toBe(sha('{"a": 1}'));
  });
});

describe('verifyDigestHeader', () => {
  it('accepts SHA-256 and SHA-512, algorithm name case-insensitive', () => {
    expect(verifyDigestHeader(`SHA-256=${b64('sha256')}`, body)).toBe(true);
    expect(verifyDigestHeader(`sha-256=${b64('sha256')}`, body)).toBe(true);
    expect(verifyDigestHeader(`SHA-512=${b64('sha512')}`, body)).toBe(true);
    expect(verifyDigestHeader(`Sha-512=${b64('sha512')}`, body)).toBe(true);
  });

  it('accepts a list when the supported entries match, ignoring unknown ones', () => {
    expect(verifyDigestHeader(`MD5=abc, SHA-256=${b64('sha256')}`, body)).toBe(true);
    expect(verifyDigestHeader(`SHA-256=${b64('sha256')},SHA-512=${b64('sha512')}`, body)).toBe(true);
  });

  it('rejects unknown-only, mismatching, malformed and empty headers', () => {
    expect(verifyDigestHeader(`MD5=${createHash('md5').update(body).digest('base64')}`, body)).toBe(false);
    expect(verifyDigestHeader(`SHA=${createHash('sha1').update(body).digest('base64')}`, body)).toBe(false);
    expect(verifyDigestHeader(`SHA-256=${b64('sha256')}`, Buffer.from('{"hello": "World"}'))).toBe(false);
    expect(verifyDigestHeader(`SHA-256=!!${b64('sha256')}`, body)).toBe(false);
    expect(verifyDigestHeader('', body)).toBe(false);
    expect(verifyDigestHeader('SHA-256', body)).toBe(false);
  });

  it('rejects a list where one supported entry mismatches even if another matches', () => {
    const other = createHash('sha512').update('attacker body').digest('base64');
    expect(verifyDigestHeader(`SHA-256=${b64('sha256')}, SHA-512=${other}`, body)).toBe(false);
  });
});

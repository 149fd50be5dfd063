import { createPublicKey, sign, verify } from 'node:crypto';
import { clearKeyCaches, generateRsaKeyPair, privateKeyFromPem, publicKeyFromPem } from '../../../services/signatures/keys';
import { LruMap } from '../../../services/signatures/lru';

describe('keys', () => {
  let pair: { publicKeyPem: string; privateKeyPem: string };
  beforeAll(async () => {
    pair = await generateRsaKeyPair();
  });

  it('generates RSA-2048 SPKI / PKCS#8 PEM', () => {
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const pub = createPublicKey(pair.publicKeyPem);
    expect(pub.asymmetricKeyType).toBe('rsa');
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('parses once and returns the cached KeyObject afterwards', () => {
    clearKeyCaches();
    const priv = privateKeyFromPem(pair.privateKeyPem);
    const pub = publicKeyFromPem(pair.publicKeyPem);
    expect(privateKeyFromPem(pair.privateKeyPem)).toBe(priv);
    expect(publicKeyFromPem(pair.publicKeyPem)).toBe(pub);
    expect(priv.type).toBe('private');
    expect(pub.type).toBe('public');
    const data = Buffer.from('x');
    expect(verify('sha256', data, pub, sign('sha256', data, priv))).toBe(true);
  });

  it('accepts PKCS#1 public keys and throws on garbage (failures not cached)', () => {
    const pkcs1 = createPublicKey(pair.publicKeyPem).export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(publicKeyFromPem(pkcs1).asymmetricKeyType).toBe('rsa');
    expect(() => publicKeyFromPem('not a pem')).toThrow();
    expect(() => publicKeyFromPem('not a pem')).toThrow();
  });
});

describe('LruMap', () => {
  it('evicts the least recently used entry beyond capacity', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now most recent
    m.set('c', 3);
    expect(m.size).toBe(2);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
  });

  it('keeps a key that is read between every write, however many other keys come and go', () => {
    const m = new LruMap<string, number>(4);
    m.set('hot', 0);
    for (let i = 0; i < 100; i++) {
      m.set(`k${i}`, i);
      expect(m.get('hot')).toBe(0);
    }
    expect(m.size).toBe(4);
    expect(m.get('k95')).toBeUndefined();
    expect(m.get('k99')).toBe(99);
  });
});

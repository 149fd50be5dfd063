// RSA key generation and PEM → KeyObject parsing with a bounded cache.
// Parsing a PEM costs more than the RSA operation it feeds (signing drops from ~3,500/s to
// ~1,000/s when the key is re-parsed each time), and the same few local keys and a working set
// of remote actor keys are used over and over.
import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { LruMap } from './lru';

/** Entries per cache; a remote public key is ~0.5 KB PEM + its KeyObject, so ~10 MB at worst. */
export const KEY_CACHE_SIZE = 10_000;

// Keyed by the PEM string itself: exact, no hashing cost beyond V8's string hash, no collisions.
const privateKeys = new LruMap<string, KeyObject>(KEY_CACHE_SIZE);
const publicKeys = new LruMap<string, KeyObject>(KEY_CACHE_SIZE);

/** RSA-2048 (what Mastodon and most of the fediverse use), SPKI / PKCS#8 PEM. */
export function generateRsaKeyPair(): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ publicKeyPem, privateKeyPem })),
    );
  });
}

/** Throws (like crypto.createPrivateKey) on a PEM that does not parse; failures are not cached. */
export function privateKeyFromPem(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (key === undefined) {
    key = createPrivateKey(pem);
    privateKeys.set(pem, key);
  }
  return key;
}

/** Accepts SPKI or PKCS#1 public PEM (remote actors publish both). Throws on a PEM that does not parse. */
export function publicKeyFromPem(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (key === undefined) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/** For tests. */
export function clearKeyCaches(): void {
  privateKeys.clear();
  publicKeys.clear();
}

// The physical limit of delivery: RSA-2048 crypto.sign with a cached KeyObject, per second on one
// core, of a draft-cavage signature base the size a delivery signs.
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';

export function rawSignsPerSecond(privateKey: KeyObject, ms = 1000): number {
  const data = Buffer.from('(request-target): post /users/u1/inbox\nhost: 127.0.0.1:8080\ndate: Tue, 01 Dec 2026 12:00:00 GMT\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-type: application/activity+json');
  const start = process.hrtime.bigint();
  const limit = BigInt(ms * 1e6);
  let n = 0;
  while (process.hrtime.bigint() - start < limit) {
    sign('sha256', data, privateKey);
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export const newRsaKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

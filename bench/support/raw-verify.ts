// The floor under any inbox: JSON.parse of the body and one RSA-2048 crypto.verify (cached
// KeyObject) of a draft-cavage signature base, per second on one core.
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { RemoteActor } from './remote-actors';

export function rawVerifyAndParsePerSecond(actor: RemoteActor, body: string, ms = 1000): number {
  const pub = createPublicKey(actor.privateKey);
  const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
  const base = Buffer.from(`(request-target): post /inbox\nhost: 127.0.0.1:8080\ndate: ${new Date().toUTCString()}\ndigest: ${digest}\ncontent-type: application/activity+json`);
  const signature = sign('sha256', base, actor.privateKey);
  const start = process.hrtime.bigint();
  const limit = BigInt(ms * 1e6);
  let n = 0;
  while (process.hrtime.bigint() - start < limit) {
    for (let i = 0; i < 20; i++) {
      JSON.parse(body);
      if (!verify('sha256', base, pub, signature)) throw new Error('raw verify failed');
    }
    n += 20;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

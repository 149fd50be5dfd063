// Key pairs under concurrency: racing processes never keep one's public key with another's
// private key (every signature would then fail for good).
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisKeys } from '../../config/redis-keys';
import { accountStore } from '../../services/store/accounts';
import { deletePrefix } from '../support/test-gateway';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `tkeys${Date.now().toString(36)}`;
const clients = Array.from({ length: 4 }, () => new Redis(url));

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await deletePrefix(url, prefix);
});

test('four processes racing to create the same 8 key pairs all end with one matching pair', async () => {
  const stores = clients.map((c) => accountStore(c, redisKeys(prefix)));
  const ids = Array.from({ length: 8 }, (_, i) => `acct-${i}`);
  const results = await Promise.all(ids.flatMap((id) => stores.map((s) => s.ensureKeys(id).then((pair) => ({ id, pair })))));
  for (const id of ids) {
    const pairs = results.filter((r) => r.id === id).map((r) => r.pair);
    // Every racer got the same pair back: the one stored.
    expect(new Set(pairs.map((p) => p.privateKeyPem)).size).toBe(1);
    const stored = await stores[0]!.keys(id);
    expect(stored).toEqual(pairs[0]);
    const data = Buffer.from(id);
    expect(verify('sha256', data, createPublicKey(stored!.publicKeyPem), sign('sha256', data, createPrivateKey(stored!.privateKeyPem)))).toBe(true);
  }
});

test('a half-written pair (public key without its private key) is replaced whole, never completed with a stranger', async () => {
  const keys = redisKeys(prefix);
  const store = accountStore(clients[0]!, keys);
  const orphan = await store.ensureKeys('donor');
  // What one racer leaves when another wrote its private key in between (or a crash mid-write).
  await clients[0]!.hset(keys.accountKeys('half'), 'publicKeyPem', orphan.publicKeyPem);
  const pair = await store.ensureKeys('half');
  const data = Buffer.from('half');
  expect(verify('sha256', data, createPublicKey(pair.publicKeyPem), sign('sha256', data, createPrivateKey(pair.privateKeyPem)))).toBe(true);
  expect(await store.keys('half')).toEqual(pair);
});

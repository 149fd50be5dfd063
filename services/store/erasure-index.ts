// Per-account indexes of records kept under other entities' keys (a like's ledger entry, a remote
// Like of the account's post, a remote note naming it), so erasing the account finds them
// without scanning the keyspace. A sorted set scored by when the indexed record expires: adding
// drops the members whose records expired, so an active account's index stays the size of
// what is still stored.
import type { RedisClient } from './redis';

export async function indexForErasure(redis: RedisClient, indexKey: string, member: string, ttlSeconds: number): Promise<void> {
  const now = Date.now();
  await redis.multi().zremrangebyscore(indexKey, '-inf', now).zadd(indexKey, now + ttlSeconds * 1000, member).expire(indexKey, ttlSeconds).exec();
}

/** Every member of an index, page by page. */
export async function* indexedMembers(redis: RedisClient, indexKey: string, pageSize = 500): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(indexKey, cursor, 'COUNT', pageSize);
    cursor = next;
    const page = flat.filter((_, i) => i % 2 === 0);
    if (page.length) yield page;
  } while (cursor !== '0');
}

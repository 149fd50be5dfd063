// One HSCAN page of a hash, for paged collections: the cursor is Redis's own, so a page costs
// O(page) whatever the size of the hash (a member may repeat across pages during a rehash).
import type { RedisClient } from './redis';

export interface HashPage<T> {
  items: T[];
  /** undefined on the last page */
  next?: string;
}

export async function hashPage<T>(redis: RedisClient, key: string, cursor: string, count: number): Promise<HashPage<T>> {
  const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
  const items = flat.filter((_, i) => i % 2 === 1).map((v) => JSON.parse(v) as T);
  return { items, ...(next !== '0' ? { next } : {}) };
}

/** Every value of a hash, page by page (memory stays flat however large the hash grows). */
export async function* hashValuePages<T>(redis: RedisClient, key: string, pageSize = 1000): AsyncGenerator<T[]> {
  let cursor: string | undefined = '0';
  do {
    const page: HashPage<T> = await hashPage<T>(redis, key, cursor, pageSize);
    if (page.items.length) yield page.items;
    cursor = page.next;
  } while (cursor !== undefined);
}

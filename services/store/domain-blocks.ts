// Domain blocks set by the operator, in one Redis hash; every inbox POST, delivery and fetch asks
// whether a host is blocked, so the set is cached in-process for a short while (a block set on
// another process takes effect here within CACHE_MS).
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { coveringBlock, hostOf } from '../moderation/domains';

export interface DomainBlock {
  domain: string;
  createdAt: string;
  comment?: string;
}

const CACHE_MS = 2000;

export function domainBlockStore(redis: RedisClient, keys: RedisKeys, cacheMs = CACHE_MS) {
  let cache: { domains: ReadonlySet<string>; until: number } | undefined;
  let loading: Promise<ReadonlySet<string>> | undefined;

  async function domains(): Promise<ReadonlySet<string>> {
    if (cache && cache.until > Date.now()) return cache.domains;
    // One HKEYS however many requests arrive while it is in flight.
    loading ??= redis
      .hkeys(keys.domainBlocks())
      .then((list) => {
        cache = { domains: new Set(list), until: Date.now() + cacheMs };
        return cache.domains;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  return {
    async list(): Promise<DomainBlock[]> {
      const all = await redis.hvals(keys.domainBlocks());
      return all.map((v) => JSON.parse(v) as DomainBlock).sort((a, b) => a.domain.localeCompare(b.domain));
    },
    async get(domain: string): Promise<DomainBlock | undefined> {
      const v = await redis.hget(keys.domainBlocks(), domain);
      return v ? (JSON.parse(v) as DomainBlock) : undefined;
    },
    /** Creates or updates a block; says whether it is new (a new block drops the domain's followers). */
    async put(domain: string, comment?: string): Promise<{ block: DomainBlock; created: boolean }> {
      const previous = await this.get(domain);
      const block: DomainBlock = { domain, createdAt: previous?.createdAt ?? new Date().toISOString(), ...(comment !== undefined ? { comment } : {}) };
      const created = (await redis.hset(keys.domainBlocks(), domain, JSON.stringify(block))) === 1;
      cache = undefined;
      return { block, created };
    },
    async remove(domain: string): Promise<boolean> {
      const removed = (await redis.hdel(keys.domainBlocks(), domain)) === 1;
      cache = undefined;
      return removed;
    },
    /** The block covering this host (host[:port]), if any. */
    async blockOfHost(host: string): Promise<string | undefined> {
      return coveringBlock(host, await domains());
    },
    /** The block covering this URL's host, if any (a URL that is not http(s) is not covered). */
    async blockOfUrl(url: string): Promise<string | undefined> {
      const host = hostOf(url);
      return host ? coveringBlock(host, await domains()) : undefined;
    },
  };
}

export type DomainBlockStore = ReturnType<typeof domainBlockStore>;

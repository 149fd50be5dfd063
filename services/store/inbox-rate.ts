// Inbox POSTs per remote server in fixed windows, counted in Redis so that every gateway process
// adds to one count. A window starts at a server's first POST (PEXPIRE NX, in the same MULTI as
// the INCR, so no count is ever left without its expiry) and the count starts over when it ends.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';

export type RateBucket = 'signed' | 'unverified';

export interface RateCount {
  /** POSTs counted in the current window (0 when none is open) */
  count: number;
  /** ms until the window ends (0 when none is open) */
  resetMs: number;
}

const countOf = (count: unknown, pttl: unknown): RateCount => {
  const ms = Number(pttl);
  return ms > 0 ? { count: Number(count ?? 0), resetMs: ms } : { count: 0, resetMs: 0 };
};

export function inboxRateStore(redis: RedisClient, keys: RedisKeys) {
  return {
    /** The count so far, adding nothing: read before a signature is verified. */
    async peek(hosts: string[], bucket: RateBucket): Promise<RateCount[]> {
      if (hosts.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const host of hosts) pipeline.get(keys.inboxRate(host, bucket)).pttl(keys.inboxRate(host, bucket));
      const res = (await pipeline.exec()) ?? [];
      return hosts.map((_, i) => countOf(res[2 * i]?.[1], res[2 * i + 1]?.[1]));
    },

    /** Counts one POST, opening a window of `windowMs` if none is open. */
    async hit(host: string, bucket: RateBucket, windowMs: number): Promise<RateCount> {
      const key = keys.inboxRate(host, bucket);
      const res = await redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec();
      return countOf(res?.[0]?.[1], res?.[2]?.[1]);
    },
  };
}

export type InboxRateStore = ReturnType<typeof inboxRateStore>;

// Remote actors local accounts block: their activities aimed at the account are ignored and
// the account's deliveries skip their inbox.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { LruMap } from '../signatures/lru';

export interface BlockRecord {
  actor: string;
  inbox: string;
  blockId: string;
  since: string;
}

// Deliveries ask once per job: one read per account per BLOCKED_CACHE_MS serves a fan-out.
// The block itself removes the actor as follower at once, so new fan-outs never name it.
const BLOCKED_CACHE_MS = 2000;

export function blockStore(redis: RedisClient, keys: RedisKeys) {
  const inboxCache = new LruMap<string, { inboxes: Set<string>; until: number }>(10_000);
  return {
    async add(accountId: string, r: BlockRecord): Promise<void> {
      await redis.multi().hset(keys.blocks(accountId), r.actor, JSON.stringify(r)).sadd(keys.blockedInboxes(accountId), r.inbox).sadd(keys.blockersOf(r.actor), accountId).exec();
      inboxCache.delete(accountId);
    },
    async remove(accountId: string, actor: string): Promise<BlockRecord | undefined> {
      const v = await redis.hget(keys.blocks(accountId), actor);
      if (!v) return undefined;
      const r = JSON.parse(v) as BlockRecord;
      await redis.multi().hdel(keys.blocks(accountId), actor).srem(keys.blockedInboxes(accountId), r.inbox).srem(keys.blockersOf(actor), accountId).exec();
      inboxCache.delete(accountId);
      return r;
    },
    has: async (accountId: string, actor: string) => (await redis.hexists(keys.blocks(accountId), actor)) === 1,
    /** Local accounts that block this actor: one read, however many accounts a note concerns. */
    blockersOf: async (actor: string) => new Set(await redis.smembers(keys.blockersOf(actor))),
    /** Drops every block of an account (erasure), the reverse index included. */
    async eraseAccount(accountId: string): Promise<void> {
      const actors = await redis.hkeys(keys.blocks(accountId));
      const m = redis.multi();
      for (const actor of actors) m.srem(keys.blockersOf(actor), accountId);
      await m.unlink(keys.blocks(accountId), keys.blockedInboxes(accountId)).exec();
      inboxCache.delete(accountId);
    },
    async isInboxBlocked(accountId: string, inbox: string): Promise<boolean> {
      const hit = inboxCache.get(accountId);
      if (hit && hit.until > Date.now()) return hit.inboxes.has(inbox);
      const inboxes = new Set(await redis.smembers(keys.blockedInboxes(accountId)));
      inboxCache.set(accountId, { inboxes, until: Date.now() + BLOCKED_CACHE_MS });
      return inboxes.has(inbox);
    },
  };
}

export type BlockStore = ReturnType<typeof blockStore>;

// Remote actors local accounts block: their activities aimed at the account are ignored and
// the account's deliveries skip their inbox.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { expiringReads } from './shared-reads';

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
  const inboxCache = expiringReads<string, Set<string>>(BLOCKED_CACHE_MS);
  return {
    // The account's records ({a:<id>}) and the reverse index (the actor's own slot) are written in
    // steps: add() records, then indexes; remove() unindexes, then drops the records. A crash in
    // between leaves the record, which the job's retry (the ledger's replay) finds and finishes.
    // A note processed between two steps of add() is as one that came just before the block.
    async add(accountId: string, r: BlockRecord): Promise<void> {
      await redis.multi().hset(keys.blocks(accountId), r.actor, JSON.stringify(r)).sadd(keys.blockedInboxes(accountId), r.inbox).exec();
      await redis.sadd(keys.blockersOf(r.actor), accountId);
      inboxCache.delete(accountId);
    },
    async remove(accountId: string, actor: string): Promise<BlockRecord | undefined> {
      const v = await redis.hget(keys.blocks(accountId), actor);
      if (!v) return undefined;
      const r = JSON.parse(v) as BlockRecord;
      await redis.srem(keys.blockersOf(actor), accountId);
      await redis.multi().hdel(keys.blocks(accountId), actor).srem(keys.blockedInboxes(accountId), r.inbox).exec();
      inboxCache.delete(accountId);
      return r;
    },
    has: async (accountId: string, actor: string) => (await redis.hexists(keys.blocks(accountId), actor)) === 1,
    /** Local accounts that block this actor: one read, however many accounts a note concerns. */
    blockersOf: async (actor: string) => new Set(await redis.smembers(keys.blockersOf(actor))),
    /** Drops every block of an account (erasure), the reverse index included. */
    async eraseAccount(accountId: string): Promise<void> {
      const actors = await redis.hkeys(keys.blocks(accountId));
      // Reverse entries first (each actor's slot): a retry after a crash reads the blocks again.
      await Promise.all(actors.map((actor) => redis.srem(keys.blockersOf(actor), accountId)));
      await redis.unlink(keys.blocks(accountId), keys.blockedInboxes(accountId));
      inboxCache.delete(accountId);
    },
    async isInboxBlocked(accountId: string, inbox: string): Promise<boolean> {
      const inboxes = await inboxCache.get(accountId, async () => new Set(await redis.smembers(keys.blockedInboxes(accountId))));
      return inboxes.has(inbox);
    },
  };
}

export type BlockStore = ReturnType<typeof blockStore>;

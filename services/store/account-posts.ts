// Per-account indexes of posts: every post the gateway holds (so an erased account's posts can
// be found) and the public ones by createdAt (the outbox), kept where posts are applied.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import type { StoredPost } from './posts';

// KEYS[1] post hash, KEYS[2] its inboxes (one slot: {p:<id>}). ARGV: accountId, deletedAtMs. What
// stays of an erased account's post: that it was deleted and when, so its URI answers 410; its
// content and audience go.
const TOMBSTONE = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'deleted', 'federated', '0', 'version', ARGV[2], 'accountId', ARGV[1])
`;

export function accountPostStore(redis: RedisClient, keys: RedisKeys) {
  return {
    /**
     * Indexes a post as it now stands; `createActivityId` names the Create that carried it out
     * (the outbox shows that same activity).
     */
    async index(accountId: string, postId: string, stored: StoredPost | undefined, createActivityId?: string): Promise<void> {
      const m = redis.multi();
      if (createActivityId) m.hset(keys.accountPosts(accountId), postId, createActivityId);
      else m.hsetnx(keys.accountPosts(accountId), postId, '');
      const post = stored?.post;
      if (stored?.state === 'live' && stored.federated && post?.visibility === 'public') {
        m.zadd(keys.outbox(accountId), Date.parse(post.createdAt), postId);
      } else {
        m.zrem(keys.outbox(accountId), postId);
      }
      await m.exec();
    },
    outboxCount: (accountId: string) => redis.zcard(keys.outbox(accountId)),
    /** Post ids of one outbox page, newest first. */
    outboxPage: (accountId: string, offset: number, limit: number) => redis.zrevrange(keys.outbox(accountId), offset, offset + limit - 1),
    async createActivityIds(accountId: string, postIds: string[]): Promise<Array<string | undefined>> {
      if (postIds.length === 0) return [];
      return (await redis.hmget(keys.accountPosts(accountId), ...postIds)).map((v) => v || undefined);
    },
    async *postIds(accountId: string, pageSize = 500): AsyncGenerator<string[]> {
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.accountPosts(accountId), cursor, 'COUNT', pageSize);
        cursor = next;
        const page = flat.filter((_, i) => i % 2 === 0);
        if (page.length) yield page;
      } while (cursor !== '0');
    },
    /** Replaces each post by a tombstone and forgets the inboxes it reached. */
    async tombstonePosts(accountId: string, postIds: string[], deletedAt: Date): Promise<void> {
      // One script per post, sent at once (posts lie in different slots: no pipeline on a cluster).
      await Promise.all(postIds.map((id) => redis.eval(TOMBSTONE, 2, keys.post(id), keys.postReceipts(id), accountId, deletedAt.getTime())));
    },
    erase: (accountId: string) => redis.unlink(keys.accountPosts(accountId), keys.outbox(accountId)).then(() => undefined),
  };
}

export type AccountPostStore = ReturnType<typeof accountPostStore>;

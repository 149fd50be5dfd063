// Outbound follows: local accounts following remote actors, pending until Accept/Reject.
// The reverse index (remote actor → local followers) says who sees a remote actor's posts.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { hashValuePages } from './hash-page';

export interface FollowingRecord {
  /** remote actor URI */
  target: string;
  /** the platform's follow id (follow.created's data.follow.id) */
  followId: string;
  /** id of the Follow activity we sent */
  activityId: string;
  inbox: string;
  sharedInbox?: string;
  state: 'pending' | 'accepted';
  since: string;
}

const OUTBOUND_FOLLOW_TTL_SECONDS = 400 * 24 * 3600;

// KEYS[1] following hash, KEYS[2] local followers of the target. ARGV: target, accountId.
// One step: an Accept racing an unfollow, block or leave (remove()) cannot bring the follow back.
const ACCEPT = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
local record = cjson.decode(json)
record.state = 'accepted'
json = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], json)
redis.call('SADD', KEYS[2], ARGV[2])
return json
`;

export function followingStore(redis: RedisClient, keys: RedisKeys) {
  const decode = (s: string) => JSON.parse(s) as FollowingRecord;
  const get = async (accountId: string, target: string) => {
    const v = await redis.hget(keys.following(accountId), target);
    return v ? decode(v) : undefined;
  };

  return {
    get,
    /**
     * Records a Follow just sent. A repeated follow of a pending target replaces it; one of an
     * accepted target stays accepted (the remote side simply accepts again), under the new ids.
     */
    async request(accountId: string, r: Omit<FollowingRecord, 'state'>): Promise<FollowingRecord> {
      const current = await get(accountId, r.target);
      const record: FollowingRecord = { ...r, state: current?.state === 'accepted' ? 'accepted' : 'pending', since: current?.state === 'accepted' ? current.since : r.since };
      const ref = JSON.stringify({ accountId, target: r.target });
      const tx = redis.multi().set(keys.outboundFollow(r.activityId), ref, 'EX', OUTBOUND_FOLLOW_TTL_SECONDS).set(keys.platformFollow(r.followId), ref, 'EX', OUTBOUND_FOLLOW_TTL_SECONDS);
      // The replaced Follow's ids no longer name this follow.
      if (current && current.activityId !== r.activityId) tx.del(keys.outboundFollow(current.activityId));
      if (current && current.followId !== r.followId) tx.del(keys.platformFollow(current.followId));
      await tx.hset(keys.following(accountId), r.target, JSON.stringify(record)).exec();
      return record;
    },
    /** Which local follow a platform follow id is. */
    async byFollowId(followId: string): Promise<{ accountId: string; target: string } | undefined> {
      const v = await redis.get(keys.platformFollow(followId));
      return v ? (JSON.parse(v) as { accountId: string; target: string }) : undefined;
    },
    /** Which local follow a Follow activity id (ours) was. */
    async byActivityId(activityId: string): Promise<{ accountId: string; target: string } | undefined> {
      const v = await redis.get(keys.outboundFollow(activityId));
      return v ? (JSON.parse(v) as { accountId: string; target: string }) : undefined;
    },
    /** Marks the follow accepted; undefined when there is no such follow (any more). */
    async accept(accountId: string, target: string): Promise<FollowingRecord | undefined> {
      const json = (await redis.eval(ACCEPT, 2, keys.following(accountId), keys.localFollowersOf(target), target, accountId)) as string | null;
      return json ? decode(json) : undefined;
    },
    /** Ends the follow (rejected, undone, blocked); returns what it was. */
    async remove(accountId: string, target: string): Promise<FollowingRecord | undefined> {
      const current = await get(accountId, target);
      // Record and reverse index go together: an accept() (one script) runs before or after both.
      const tx = redis.multi().hdel(keys.following(accountId), target).srem(keys.localFollowersOf(target), accountId);
      if (current) tx.del(keys.outboundFollow(current.activityId), keys.platformFollow(current.followId));
      await tx.exec();
      return current;
    },
    /** Ends every follow of the account (it leaves), page by page, each record with its indexes. */
    async removeAll(accountId: string): Promise<void> {
      for await (const page of hashValuePages<FollowingRecord>(redis, keys.following(accountId), 500)) {
        const tx = redis.multi();
        for (const r of page) {
          tx.hdel(keys.following(accountId), r.target).srem(keys.localFollowersOf(r.target), accountId).unlink(keys.outboundFollow(r.activityId), keys.platformFollow(r.followId));
        }
        await tx.exec();
      }
      await redis.unlink(keys.following(accountId));
    },
    count: (accountId: string) => redis.hlen(keys.following(accountId)),
    /** Local accounts whose follow of this remote actor was accepted. */
    localFollowersOf: (target: string) => redis.smembers(keys.localFollowersOf(target)),
    pages: (accountId: string, pageSize = 1000) => hashValuePages<FollowingRecord>(redis, keys.following(accountId), pageSize),
  };
}

export type FollowingStore = ReturnType<typeof followingStore>;

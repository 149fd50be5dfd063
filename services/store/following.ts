// Outbound follows: local accounts following remote actors, pending until Accept/Reject.
// The reverse index (remote actor → local followers) says who sees a remote actor's posts.
import { type RedisClient, unlinkKeys } from './redis';
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

// The record is the account's ({a:<id>}), the reverse index (target → local followers, which
// decides who sees the target's posts) the target's own slot: they are written in steps, ordered
// so that neither a crash nor an Accept racing an unfollow, block or leave leaves an index entry
// without an accepted record. accept(): record, index, then the record read again (removed
// meanwhile: the entry goes). remove(): index, record, index again (an Accept that added it in
// between), then the id pointers; a crash before the record goes leaves it for the retry to find.

// KEYS[1] following hash. ARGV: target. Marks the follow accepted, if there is one.
const ACCEPT = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
local record = cjson.decode(json)
record.state = 'accepted'
json = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], json)
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
      // Pointers (each in its own slot) before the record, so an Accept coming back at once maps;
      // the replaced Follow's ids, which no longer name this follow, go before the record changes,
      // so a retry after a crash (which reads the old record again) drops them too.
      await Promise.all([
        redis.set(keys.outboundFollow(r.activityId), ref, 'EX', OUTBOUND_FOLLOW_TTL_SECONDS),
        redis.set(keys.platformFollow(r.followId), ref, 'EX', OUTBOUND_FOLLOW_TTL_SECONDS),
      ]);
      if (current && current.activityId !== r.activityId) await redis.del(keys.outboundFollow(current.activityId));
      if (current && current.followId !== r.followId) await redis.del(keys.platformFollow(current.followId));
      await redis.hset(keys.following(accountId), r.target, JSON.stringify(record));
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
      const json = (await redis.eval(ACCEPT, 1, keys.following(accountId), target)) as string | null;
      if (!json) return undefined;
      await redis.sadd(keys.localFollowersOf(target), accountId);
      // A remove() that ran since the script may have taken its SREMs before this SADD.
      if ((await get(accountId, target))?.state !== 'accepted') await redis.srem(keys.localFollowersOf(target), accountId);
      return decode(json);
    },
    /** Ends the follow (rejected, undone, blocked); returns what it was. */
    async remove(accountId: string, target: string): Promise<FollowingRecord | undefined> {
      const current = await get(accountId, target);
      await redis.srem(keys.localFollowersOf(target), accountId);
      await redis.hdel(keys.following(accountId), target);
      await redis.srem(keys.localFollowersOf(target), accountId);
      if (current) await unlinkKeys(redis, [keys.outboundFollow(current.activityId), keys.platformFollow(current.followId)]);
      return current;
    },
    /**
     * Ends every follow of the account (it leaves), page by page, in remove()'s order but for the
     * pointers, which go before the records: a retry finds what is left by scanning the hash again.
     */
    async removeAll(accountId: string): Promise<void> {
      for await (const page of hashValuePages<FollowingRecord>(redis, keys.following(accountId), 500)) {
        const unindex = () => Promise.all(page.map((r) => redis.srem(keys.localFollowersOf(r.target), accountId)));
        await unindex();
        await unlinkKeys(redis, page.flatMap((r) => [keys.outboundFollow(r.activityId), keys.platformFollow(r.followId)]));
        await redis.hdel(keys.following(accountId), ...page.map((r) => r.target));
        await unindex();
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

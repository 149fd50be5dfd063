// Remote followers of local accounts, and pending follow requests, paged with HSCAN so a
// million followers are never held in memory at once.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { hashValuePages } from './hash-page';

export interface FollowerRecord {
  actor: string;
  inbox: string;
  sharedInbox?: string;
  followId: string;
  since: string;
}

const FOLLOW_TTL_SECONDS = 400 * 24 * 3600;

// KEYS: followers hash, requests hash. ARGV: actor, inbox, sharedInbox ('' for none).
// Rewrites the inboxes of a follower or request that still exists (never revives a removed one).
const SET_INBOXES = `
for _, hash in ipairs(KEYS) do
  local v = redis.call('HGET', hash, ARGV[1])
  if v then
    local r = cjson.decode(v)
    r.inbox = ARGV[2]
    if ARGV[3] == '' then r.sharedInbox = nil else r.sharedInbox = ARGV[3] end
    redis.call('HSET', hash, ARGV[1], cjson.encode(r))
  end
end
return 1
`;

// KEYS: undone marker of the Follow, followers hash, requests hash, remote-follow, followed-by.
// ARGV: actor, record JSON, remote-follow JSON, TTL, account id, 'request' or 'follower'.
// Stores the inbound Follow unless its actor's Undo came first (services/federation/undone-marker.ts):
// check and store in one step, so an Undo processed meanwhile cannot slip between them.
const ADD_UNLESS_UNDONE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'undone' end
if ARGV[6] == 'request' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
redis.call('SET', KEYS[4], ARGV[3], 'EX', ARGV[4])
redis.call('SADD', KEYS[5], ARGV[5])
return 'stored'
`;

export function followerStore(redis: RedisClient, keys: RedisKeys) {
  const encode = (r: FollowerRecord) => JSON.stringify(r);
  const decode = (s: string) => JSON.parse(s) as FollowerRecord;

  async function getIn(hash: string, actor: string) {
    const v = await redis.hget(hash, actor);
    return v ? decode(v) : undefined;
  }

  return {
    async add(accountId: string, r: FollowerRecord): Promise<boolean> {
      const added = await redis
        .multi()
        .hset(keys.followers(accountId), r.actor, encode(r))
        .hdel(keys.followRequests(accountId), r.actor)
        .set(keys.remoteFollow(r.followId), JSON.stringify({ accountId, actor: r.actor }), 'EX', FOLLOW_TTL_SECONDS)
        .sadd(keys.followedBy(r.actor), accountId)
        .exec();
      return added?.[0]?.[1] === 1;
    },
    async addRequest(accountId: string, r: FollowerRecord): Promise<void> {
      await redis
        .multi()
        .hset(keys.followRequests(accountId), r.actor, encode(r))
        .set(keys.remoteFollow(r.followId), JSON.stringify({ accountId, actor: r.actor }), 'EX', FOLLOW_TTL_SECONDS)
        .sadd(keys.followedBy(r.actor), accountId)
        .exec();
    },
    /** An inbound Follow as a follower or a pending request, unless its actor already undid it. */
    async addUnlessUndone(accountId: string, r: FollowerRecord, as: 'follower' | 'request'): Promise<'stored' | 'undone'> {
      const keyList = [keys.undoneInteraction(r.followId), keys.followers(accountId), keys.followRequests(accountId), keys.remoteFollow(r.followId), keys.followedBy(r.actor)];
      return (await redis.eval(ADD_UNLESS_UNDONE, keyList.length, ...keyList, r.actor, encode(r), JSON.stringify({ accountId, actor: r.actor }), FOLLOW_TTL_SECONDS, accountId, as)) as 'stored' | 'undone';
    },
    /** Removes a follower or a pending request; says which one it was. */
    async remove(accountId: string, actor: string): Promise<'follower' | 'request' | 'none'> {
      const res = await redis.multi().hdel(keys.followers(accountId), actor).hdel(keys.followRequests(accountId), actor).srem(keys.followedBy(actor), accountId).exec();
      if (res?.[0]?.[1] === 1) return 'follower';
      if (res?.[1]?.[1] === 1) return 'request';
      return 'none';
    },
    get: (accountId: string, actor: string) => getIn(keys.followers(accountId), actor),
    getRequest: (accountId: string, actor: string) => getIn(keys.followRequests(accountId), actor),
    async byFollowId(followId: string): Promise<{ accountId: string; actor: string } | undefined> {
      const v = await redis.get(keys.remoteFollow(followId));
      return v ? (JSON.parse(v) as { accountId: string; actor: string }) : undefined;
    },
    count: (accountId: string) => redis.hlen(keys.followers(accountId)),
    /** The actor's inboxes changed (an Update of its document): deliveries follow them. */
    async setInboxes(accountId: string, actor: string, inbox: string, sharedInbox?: string): Promise<void> {
      await redis.eval(SET_INBOXES, 2, keys.followers(accountId), keys.followRequests(accountId), actor, inbox, sharedInbox ?? '');
    },
    /** Local accounts this remote actor follows or asked to follow (the reverse index). */
    accountsFollowedBy: (actor: string) => redis.smembers(keys.followedBy(actor)),
    pages: (accountId: string, pageSize = 1000) => hashValuePages<FollowerRecord>(redis, keys.followers(accountId), pageSize),
  };
}

export type FollowerStore = ReturnType<typeof followerStore>;

/** The inbox to deliver to: the shared one when the server has it (one POST per server). */
export const deliveryInbox = (r: Pick<FollowerRecord, 'inbox' | 'sharedInbox'>) => r.sharedInbox ?? r.inbox;

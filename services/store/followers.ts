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

// KEYS: followers hash, requests hash (one slot). ARGV: actor, inbox, sharedInbox ('' for none).
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

// An inbound Follow is stored unless its actor's Undo came first (services/federation/undone-marker.ts),
// and exactly one side wins. The marker lives in the Follow id's slot ({i:<id>}), the records in
// the account's ({a:<id>}), so storing takes steps: CLAIM (in the marker's slot) refuses a Follow
// already undone, or notes 'storing:<actor>' and maps the id to the follow; then the record and
// the reverse index are written; then the note is dropped. An Undo marks in the same slot and
// sees the note (rememberUndone): it waits for the Follow to be stored and then undoes it, so it
// never looks at the records halfway. A Follow that crashed after CLAIM finds its note on retry
// and completes (the note outranks the mark), so the waiting Undo is never stranded. (One inbox
// job per signer and activity id: two runs of one Follow never overlap.)
// KEYS: marker hash, remote-follow. ARGV: actor, remote-follow JSON, follow TTL, marker TTL.
const CLAIM = `
local storing = 'storing:' .. ARGV[1]
if redis.call('HEXISTS', KEYS[1], storing) == 0 then
  if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
  redis.call('HSET', KEYS[1], storing, '1')
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
`;

// KEYS: followers hash, requests hash (one slot). ARGV: actor.
const EITHER_EXISTS = `
return redis.call('HEXISTS', KEYS[1], ARGV[1]) + redis.call('HEXISTS', KEYS[2], ARGV[1])
`;

/** The claim lives in the Undo marker's hash, which lasts a day (undone-marker.ts). */
const UNDONE_MARKER_TTL_SECONDS = 24 * 3600;

export function followerStore(redis: RedisClient, keys: RedisKeys) {
  const encode = (r: FollowerRecord) => JSON.stringify(r);
  const decode = (s: string) => JSON.parse(s) as FollowerRecord;
  const pointer = (accountId: string, r: FollowerRecord) => JSON.stringify({ accountId, actor: r.actor });

  async function getIn(hash: string, actor: string) {
    const v = await redis.hget(hash, actor);
    return v ? decode(v) : undefined;
  }

  /**
   * The record, then the reverse index (another slot). A crash in between leaves a follower the
   * index does not name until the job's retry stores it again; remove() re-checks the record
   * after its SREM, so a removal racing this add cannot drop the index entry of a stored record.
   */
  async function store(accountId: string, r: FollowerRecord, as: 'follower' | 'request'): Promise<boolean> {
    const m = redis.multi();
    if (as === 'request') m.hset(keys.followRequests(accountId), r.actor, encode(r));
    else m.hset(keys.followers(accountId), r.actor, encode(r)).hdel(keys.followRequests(accountId), r.actor);
    const res = await m.exec();
    await redis.sadd(keys.followedBy(r.actor), accountId);
    return res?.[0]?.[1] === 1;
  }

  return {
    async add(accountId: string, r: FollowerRecord): Promise<boolean> {
      await redis.set(keys.remoteFollow(r.followId), pointer(accountId, r), 'EX', FOLLOW_TTL_SECONDS);
      return store(accountId, r, 'follower');
    },
    async addRequest(accountId: string, r: FollowerRecord): Promise<void> {
      await redis.set(keys.remoteFollow(r.followId), pointer(accountId, r), 'EX', FOLLOW_TTL_SECONDS);
      await store(accountId, r, 'request');
    },
    /** An inbound Follow as a follower or a pending request, unless its actor already undid it (see CLAIM). */
    async addUnlessUndone(accountId: string, r: FollowerRecord, as: 'follower' | 'request'): Promise<'stored' | 'undone'> {
      const marker = keys.undoneInteraction(r.followId);
      const claimed = await redis.eval(CLAIM, 2, marker, keys.remoteFollow(r.followId), r.actor, pointer(accountId, r), FOLLOW_TTL_SECONDS, UNDONE_MARKER_TTL_SECONDS);
      if (claimed !== 1) return 'undone';
      await store(accountId, r, as);
      await redis.hdel(marker, `storing:${r.actor}`);
      return 'stored';
    },
    /**
     * Removes a follower or a pending request; says which one it was. Record first, reverse index
     * second (a crash in between leaves an index entry naming no record: harmless, every reader
     * looks the record up), then the record again: a Follow stored meanwhile gets its entry back.
     */
    async remove(accountId: string, actor: string): Promise<'follower' | 'request' | 'none'> {
      const res = await redis.multi().hdel(keys.followers(accountId), actor).hdel(keys.followRequests(accountId), actor).exec();
      await redis.srem(keys.followedBy(actor), accountId);
      if (Number(await redis.eval(EITHER_EXISTS, 2, keys.followers(accountId), keys.followRequests(accountId), actor)) > 0) await redis.sadd(keys.followedBy(actor), accountId);
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

// The gateway's ledger of local likes, reposts and blocks: one hash per interaction, changed in
// occurredAt order by one script, so a `*.deleted` applied before its `*.created` leaves the
// created one stale instead of federating it after its Undo. Each entry, and each remote Like or
// Announce of an account's post, is indexed per account, so erasing the account erases them.
import { type RedisClient, unlinkKeys } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import type { UndoableActivity } from '../activitypub/interactions';
import { indexForErasure, indexedMembers } from './erasure-index';

export type InteractionKind = 'like' | 'repost' | 'block';

/** What was sent, so its Undo restates it and goes to the same inboxes. */
export interface InteractionRecord {
  /** the Like, Announce or Block as sent */
  activity: UndoableActivity & Record<string, unknown>;
  /** inboxes delivered to directly (the author's, the target's) */
  inboxes: string[];
  /** whether the activity also went to the account's followers */
  fanout: boolean;
}

/** create: send the activity; undo: send its Undo; none: nothing changes remotely. */
export type InteractionAction = 'create' | 'undo' | 'none';
export type LedgerOutcome = { status: 'applied' | 'replay'; action: InteractionAction; record?: InteractionRecord } | { status: 'stale' };

const TTL_SECONDS = 400 * 24 * 3600;
// How long the inbox handlers keep a remote Like / Announce (remote-like, remote-announce keys).
const INBOUND_TTL_SECONDS = 400 * 24 * 3600;

export type InboundReactionKind = 'like' | 'announce';

// KEYS[1] hash. ARGV: eventId, occurredAtMs, op ('create'|'delete'), recordJson, ttl.
// A retried event (same id) gets its earlier decision back, so a crash before the deliveries
// were queued is made good on retry.
const APPLY = `
if redis.call('HGET', KEYS[1], 'lastEventId') == ARGV[1] then
  return {'replay', redis.call('HGET', KEYS[1], 'action'), redis.call('HGET', KEYS[1], 'record') or ''}
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[2]) <= version then return {'stale', 'none', ''} end
local active = redis.call('HGET', KEYS[1], 'state') == 'active'
local action = 'none'
if ARGV[3] == 'create' then
  if not active then
    action = 'create'
    redis.call('HSET', KEYS[1], 'record', ARGV[4])
  end
  redis.call('HSET', KEYS[1], 'state', 'active')
else
  if active then action = 'undo' end
  redis.call('HSET', KEYS[1], 'state', 'undone')
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'lastEventId', ARGV[1], 'action', action)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {'applied', action, redis.call('HGET', KEYS[1], 'record') or ''}
`;

export function interactionStore(redis: RedisClient, keys: RedisKeys) {
  async function apply(kind: InteractionKind, id: string, accountId: string, eventId: string, occurredAt: Date, op: 'create' | 'delete', record?: InteractionRecord): Promise<LedgerOutcome> {
    // Indexed first: a crash in between leaves an index entry naming nothing, never the reverse.
    await indexForErasure(redis, keys.accountInteractions(accountId), `${kind}:${id}`, TTL_SECONDS);
    const [status, action, json] = (await redis.eval(APPLY, 1, keys.interaction(kind, id), eventId, occurredAt.getTime(), op,
      record ? JSON.stringify(record) : '', TTL_SECONDS)) as [string, InteractionAction, string];
    if (status === 'stale') return { status: 'stale' };
    return { status: status as 'applied' | 'replay', action, ...(json ? { record: JSON.parse(json) as InteractionRecord } : {}) };
  }
  return {
    created: (kind: InteractionKind, id: string, accountId: string, eventId: string, occurredAt: Date, record: InteractionRecord) => apply(kind, id, accountId, eventId, occurredAt, 'create', record),
    deleted: (kind: InteractionKind, id: string, accountId: string, eventId: string, occurredAt: Date) => apply(kind, id, accountId, eventId, occurredAt, 'delete'),
    /** Whether a later event about this interaction was applied already (skips needless fetches). */
    async isStale(kind: InteractionKind, id: string, occurredAt: Date): Promise<boolean> {
      const version = await redis.hget(keys.interaction(kind, id), 'version');
      return version !== null && occurredAt.getTime() <= Number(version);
    },
    /** Notes a remote Like / Announce of one of the account's posts, before it is stored. */
    indexInbound: (accountId: string, kind: InboundReactionKind, activityId: string) =>
      indexForErasure(redis, keys.accountInboundReactions(accountId), `${kind}:${activityId}`, INBOUND_TTL_SECONDS),
    /** Erases the account's ledger entries and the remote Likes / Announces of its posts. */
    async eraseAccount(accountId: string): Promise<void> {
      // The indexed records are other entities' keys (other slots): unlinked one by one on a cluster.
      for await (const page of indexedMembers(redis, keys.accountInteractions(accountId))) {
        await unlinkKeys(redis, page.map((m) => keys.interaction(kindOf(m), idOf(m))));
      }
      for await (const page of indexedMembers(redis, keys.accountInboundReactions(accountId))) {
        await unlinkKeys(redis, page.map((m) => (kindOf(m) === 'like' ? keys.remoteLike(idOf(m)) : keys.remoteAnnounce(idOf(m)))));
      }
      await redis.unlink(keys.accountInteractions(accountId), keys.accountInboundReactions(accountId));
    },
  };
}

// Index members are '<kind>:<id>'; kinds have no colon, ids (URIs) may.
const kindOf = (member: string) => member.slice(0, member.indexOf(':'));
const idOf = (member: string) => member.slice(member.indexOf(':') + 1);

export type InteractionStore = ReturnType<typeof interactionStore>;

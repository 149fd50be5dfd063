// Post state in Redis. One Lua script applies events in occurredAt order and decides what to
// federate, atomically: a create seen after its delete, or an older update, changes nothing.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import type { PostRefs } from '../activitypub/post-refs';
import type { Post } from '../platform/event-schemas';
import { LruMap } from '../signatures/lru';

export type PostAction = 'create' | 'update' | 'delete' | 'none';
export type ApplyOutcome = { status: 'applied' | 'replay'; action: PostAction } | { status: 'stale'; action: 'none' };

// KEYS[1] post hash. ARGV: eventId, occurredAtMs, op ('upsert'|'delete'), postJson, accountId, federate.
// The decided action is kept under pending:<eventId> until the fan-out is queued, so a worker
// that crashed in between finds it again on retry (even if a newer event came in meanwhile,
// unless that was a delete: then the pending create or update is dropped).
const APPLY = `
local pending = redis.call('HGET', KEYS[1], 'pending:' .. ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state')
if pending then
  -- A create or update whose fan-out never got queued is moot once the post is deleted.
  if state == 'deleted' and pending ~= 'delete' then
    redis.call('HDEL', KEYS[1], 'pending:' .. ARGV[1])
    return {'stale', 'none'}
  end
  return {'replay', pending}
end
if state == 'deleted' then return {'stale', 'none'} end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[2]) <= version then return {'stale', 'none'} end
local federated = redis.call('HGET', KEYS[1], 'federated') == '1'
local action = 'none'
if ARGV[3] == 'delete' then
  if federated then action = 'delete' end
  redis.call('HSET', KEYS[1], 'state', 'deleted', 'version', ARGV[2], 'federated', '0', 'accountId', ARGV[5])
else
  local fed = ARGV[6] == '1'
  if fed then
    if federated then action = 'update' else action = 'create' end
  elseif federated then
    action = 'delete'
  end
  redis.call('HSET', KEYS[1], 'state', 'live', 'version', ARGV[2], 'post', ARGV[4], 'accountId', ARGV[5],
    'federated', fed and '1' or '0')
end
if action ~= 'none' then redis.call('HSET', KEYS[1], 'pending:' .. ARGV[1], action) end
return {'applied', action}
`;

// Refs are resolved after the event applied; two updates resolving at once must not let the
// older one's refs land on the newer post. KEYS[1] post hash. ARGV: version, refsJson.
const SAVE_REFS = `
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'refs', ARGV[2])
return 1
`;

export interface StoredPost {
  state: 'live' | 'deleted';
  federated: boolean;
  version: number;
  accountId: string;
  post?: Post;
  /** what the post's mentions, parent and quote resolved to when it was last federated */
  refs?: PostRefs;
}

// A fan-out's deliveries all ask whether their post is still federated: one read per post per
// FEDERATED_CACHE_MS serves them. Retries wait 16 s or more, far beyond this staleness.
const FEDERATED_CACHE_MS = 2000;

/** Answers to a QuoteRequest come within minutes; a month is ample. */
const QUOTE_REQUEST_TTL_SECONDS = 30 * 24 * 3600;

/** Refs with the stored authorization applied, when it is for the quote the refs name. */
function withQuoteAuthorization(refs: PostRefs, quoteAuth: string | null | undefined): PostRefs {
  if (!quoteAuth || !refs.quote) return refs;
  const auth = JSON.parse(quoteAuth) as { uri: string; authorization: string };
  return auth.uri === refs.quote.uri ? { ...refs, quote: { ...refs.quote, authorization: auth.authorization } } : refs;
}

export function postStore(redis: RedisClient, keys: RedisKeys) {
  const federatedCache = new LruMap<string, { federated: boolean; until: number }>(10_000);
  return {
    /** Applies an upsert (post given) or a delete (post undefined) of one post, in occurredAt order. */
    async apply(eventId: string, occurredAt: Date, postId: string, accountId: string, post?: Post): Promise<ApplyOutcome> {
      const op = post ? 'upsert' : 'delete';
      const federate = post !== undefined && post.federate !== false;
      const reply = (await redis.eval(APPLY, 1, keys.post(postId), eventId, occurredAt.getTime(), op,
        post ? JSON.stringify(post) : '', accountId, federate ? '1' : '0')) as [string, PostAction];
      // Other processes see the change within FEDERATED_CACHE_MS; this one at once.
      federatedCache.delete(postId);
      return { status: reply[0], action: reply[1] } as ApplyOutcome;
    },
    /** Whether the post is live and federated (briefly cached: asked once per delivery). */
    async isFederated(postId: string): Promise<boolean> {
      const hit = federatedCache.get(postId);
      if (hit && hit.until > Date.now()) return hit.federated;
      const [state, federated] = await redis.hmget(keys.post(postId), 'state', 'federated');
      const answer = state === 'live' && federated === '1';
      federatedCache.set(postId, { federated: answer, until: Date.now() + FEDERATED_CACHE_MS });
      return answer;
    },
    /** The fan-out for this event is queued: forget the pending decision. */
    async settle(postId: string, eventId: string): Promise<void> {
      await redis.hdel(keys.post(postId), `pending:${eventId}`);
    },
    async get(postId: string): Promise<StoredPost | undefined> {
      const h = await redis.hmget(keys.post(postId), 'state', 'federated', 'version', 'accountId', 'post', 'refs', 'quoteAuth');
      const [state, federated, version, accountId, post, refsJson, quoteAuth] = h;
      const refs = refsJson ? withQuoteAuthorization(JSON.parse(refsJson) as PostRefs, quoteAuth) : undefined;
      if (!state) return undefined;
      return {
        state: state as StoredPost['state'],
        federated: federated === '1',
        version: Number(version),
        accountId: accountId ?? '',
        ...(post ? { post: JSON.parse(post) as Post } : {}),
        ...(refs ? { refs } : {}),
      };
    },
    /** Keeps the resolved refs of the post's current version; false when a newer version came in. */
    async saveRefs(postId: string, version: number, refs: PostRefs): Promise<boolean> {
      return (await redis.eval(SAVE_REFS, 1, keys.post(postId), String(version), JSON.stringify(refs))) === 1;
    },
    /** The quoted author's consent (FEP-044f), kept apart from refs: re-resolving them keeps it. */
    async setQuoteAuthorization(postId: string, quotedUri: string, authorization: string): Promise<void> {
      await redis.hset(keys.post(postId), 'quoteAuth', JSON.stringify({ uri: quotedUri, authorization }));
    },
    /** The post a QuoteRequest of ours was for. */
    async rememberQuoteRequest(activityId: string, postId: string): Promise<void> {
      await redis.set(keys.quoteRequest(activityId), postId, 'EX', QUOTE_REQUEST_TTL_SECONDS);
    },
    quoteRequestPost: (activityId: string) => redis.get(keys.quoteRequest(activityId)).then((v) => v ?? undefined),
  };
}

export type PostStore = ReturnType<typeof postStore>;

// Inbox jobs run concurrently: an Undo can be processed before, or while, the Follow, Like or
// Announce it undoes. Its id is remembered for a day, per actor (so no one else's Undo can cancel
// it), and that activity, when it comes, is not applied. The record store and the Undo's
// mark-and-read are each one script over the marker and the record, so exactly one side wins: the
// activity stores and the Undo finds it, or the Undo marks first and the activity stores nothing.
// The marker and a Like's or Announce's record share the activity id's hash slot ({i:<id>}); a
// Follow's records are the account's, so it is stored in steps (services/store/followers.ts) and
// an Undo that catches it mid-store waits for it (rememberUndone).
import type { Gateway } from '../gateway';

const UNDONE_TTL_SECONDS = 24 * 3600;
/** How long an Undo waits in-process for a Follow caught mid-store before its job is retried. */
const FOLLOW_STORE_WAIT_MS = 2000;

/** The Follow the Undo names is being stored by a worker that may have crashed: retried later. */
export class FollowBeingStoredError extends Error {}

// KEYS: marker hash. ARGV: actor, marker TTL. Marks the id undone by the actor; 1 while that
// actor's Follow of this id is being stored (followers.addUnlessUndone).
const MARK = `
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('HEXISTS', KEYS[1], 'storing:' .. ARGV[1])`;

// KEYS: marker hash, record (one slot). ARGV: actor, record JSON, record TTL. 1 = stored, 0 = already undone.
const STORE_UNLESS_UNDONE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

// KEYS: marker hash, record (one slot). ARGV: actor, marker TTL. Marks the id undone (a later or retried
// activity is then refused) and returns the record, if stored; the caller deletes it after its
// callback, so a retry after a crash in between still finds it.
const MARK_UNDONE_AND_READ = `
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('GET', KEYS[2])`;

/**
 * Marks the id undone by this actor. A Follow of that id caught mid-store is waited for: once it
 * is stored the caller finds it and undoes it (the Follow, having claimed first, does not yield).
 */
export async function rememberUndone(g: Gateway, activityId: string, actor: string): Promise<void> {
  const key = g.keys.undoneInteraction(activityId);
  if ((await g.redis.eval(MARK, 1, key, actor, UNDONE_TTL_SECONDS)) !== 1) return;
  for (let waited = 0; waited < FOLLOW_STORE_WAIT_MS; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    if ((await g.redis.hexists(key, `storing:${actor}`)) === 0) return;
  }
  // Its worker may have died mid-store: the Follow's retry completes it, this job's retry undoes it.
  throw new FollowBeingStoredError(`${activityId}: its Follow is still being stored`);
}

/** Undone by this actor, and not a Follow of its own still being stored (a retry of that completes it). */
export async function wasUndone(g: Gateway, activityId: string, actor: string): Promise<boolean> {
  const [undone, storing] = await g.redis.hmget(g.keys.undoneInteraction(activityId), actor, `storing:${actor}`);
  return undone !== null && storing === null;
}

/** Stores the activity's record unless its actor undid it already; false when it did (nothing stored). */
export async function storeUnlessUndone(g: Gateway, recordKey: string, activityId: string, actor: string, json: string, ttlSeconds: number): Promise<boolean> {
  return (await g.redis.eval(STORE_UNLESS_UNDONE, 2, g.keys.undoneInteraction(activityId), recordKey, actor, json, ttlSeconds)) === 1;
}

/** Marks the activity undone by this actor and returns its stored record (JSON), if any. */
export async function markUndoneAndRead(g: Gateway, recordKey: string, activityId: string, actor: string): Promise<string | null> {
  return (await g.redis.eval(MARK_UNDONE_AND_READ, 2, g.keys.undoneInteraction(activityId), recordKey, actor, UNDONE_TTL_SECONDS)) as string | null;
}

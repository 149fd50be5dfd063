// Inbox jobs run concurrently: an Undo can be processed before, or while, the Follow, Like or
// Announce it undoes. Its id is remembered for a day, per actor (so no one else's Undo can cancel
// it), and that activity, when it comes, is not applied. The record store and the Undo's
// mark-and-read are each one script over the marker and the record, so exactly one side wins: the
// activity stores and the Undo finds it, or the Undo marks first and the activity stores nothing.
import type { Gateway } from '../gateway';

const UNDONE_TTL_SECONDS = 24 * 3600;

// KEYS: marker hash, record. ARGV: actor, record JSON, record TTL. 1 = stored, 0 = already undone.
const STORE_UNLESS_UNDONE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

// KEYS: marker hash, record. ARGV: actor, marker TTL. Marks the id undone (a later or retried
// activity is then refused) and returns the record, if stored; the caller deletes it after its
// callback, so a retry after a crash in between still finds it.
const MARK_UNDONE_AND_READ = `
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('GET', KEYS[2])`;

export async function rememberUndone(g: Gateway, activityId: string, actor: string): Promise<void> {
  const key = g.keys.undoneInteraction(activityId);
  await g.redis.multi().hset(key, actor, '1').expire(key, UNDONE_TTL_SECONDS).exec();
}

export async function wasUndone(g: Gateway, activityId: string, actor: string): Promise<boolean> {
  return (await g.redis.hexists(g.keys.undoneInteraction(activityId), actor)) === 1;
}

/** Stores the activity's record unless its actor undid it already; false when it did (nothing stored). */
export async function storeUnlessUndone(g: Gateway, recordKey: string, activityId: string, actor: string, json: string, ttlSeconds: number): Promise<boolean> {
  return (await g.redis.eval(STORE_UNLESS_UNDONE, 2, g.keys.undoneInteraction(activityId), recordKey, actor, json, ttlSeconds)) === 1;
}

/** Marks the activity undone by this actor and returns its stored record (JSON), if any. */
export async function markUndoneAndRead(g: Gateway, recordKey: string, activityId: string, actor: string): Promise<string | null> {
  return (await g.redis.eval(MARK_UNDONE_AND_READ, 2, g.keys.undoneInteraction(activityId), recordKey, actor, UNDONE_TTL_SECONDS)) as string | null;
}

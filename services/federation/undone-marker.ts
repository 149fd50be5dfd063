// Inbox jobs run concurrently: an Undo can be processed before the Follow, Like or Announce it
// undoes. Its id is remembered for a day, per actor (so no one else's Undo can cancel it), and
// that activity, when it comes, is not applied.
import type { Gateway } from '../gateway';

const UNDONE_TTL_SECONDS = 24 * 3600;

export async function rememberUndone(g: Gateway, activityId: string, actor: string): Promise<void> {
  const key = g.keys.undoneInteraction(activityId);
  await g.redis.multi().hset(key, actor, '1').expire(key, UNDONE_TTL_SECONDS).exec();
}

export async function wasUndone(g: Gateway, activityId: string, actor: string): Promise<boolean> {
  return (await g.redis.hexists(g.keys.undoneInteraction(activityId), actor)) === 1;
}

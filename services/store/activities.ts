// Outbound activities by id: jobs name the activity; workers load it to sign and send.
import { type RedisClient, unlinkKeys } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { LruMap } from '../signatures/lru';

// Longer than the delivery retry schedule (~2.5 days) with room for a manual retry.
const ACTIVITY_TTL_SECONDS = 14 * 24 * 3600;

export function activityStore(redis: RedisClient, keys: RedisKeys) {
  // An activity never changes once saved: a fan-out's thousands of deliveries read it once.
  const bodies = new LruMap<string, string>(1000);
  return {
    async save(activity: { id: string; actor?: unknown }): Promise<void> {
      // Indexed by actor so an erased account's activities (which carry its posts) go with it.
      // Indexed first (another slot): a crash in between leaves an entry naming nothing, never
      // an activity erasure cannot find.
      const actor = typeof activity.actor === 'string' ? activity.actor : undefined;
      if (actor) await redis.multi().sadd(keys.actorActivities(actor), activity.id).expire(keys.actorActivities(actor), ACTIVITY_TTL_SECONDS).exec();
      await redis.set(keys.activity(activity.id), JSON.stringify(activity), 'EX', ACTIVITY_TTL_SECONDS);
    },
    /** Forgets an actor's stored activities, all but `keep` (e.g. its Delete still being delivered). */
    async eraseActor(actorUri: string, keep: string[] = []): Promise<void> {
      const set = keys.actorActivities(actorUri);
      let cursor = '0';
      do {
        const [next, ids] = await redis.sscan(set, cursor, 'COUNT', 500);
        cursor = next;
        const gone = ids.filter((id) => !keep.includes(id));
        await unlinkKeys(redis, gone.map((id) => keys.activity(id)));
        for (const id of gone) bodies.delete(id);
      } while (cursor !== '0');
      await redis.unlink(set);
    },
    /** The activity's JSON as it will be sent (serialised once, at save time). */
    async body(activityId: string): Promise<string | undefined> {
      const cached = bodies.get(activityId);
      if (cached) return cached;
      const body = await redis.get(keys.activity(activityId));
      if (body) bodies.set(activityId, body);
      return body ?? undefined;
    },
  };
}

export type ActivityStore = ReturnType<typeof activityStore>;

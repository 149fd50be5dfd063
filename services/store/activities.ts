// Outbound activities by id: jobs name the activity; workers load it to sign and send.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../config/redis-keys';
import { LruMap } from '../signatures/lru';

// Longer than the delivery retry schedule (~2.5 days) with room for a manual retry.
const ACTIVITY_TTL_SECONDS = 14 * 24 * 3600;

export function activityStore(redis: Redis, keys: RedisKeys) {
  // An activity never changes once saved: a fan-out's thousands of deliveries read it once.
  const bodies = new LruMap<string, string>(1000);
  return {
    async save(activity: { id: string }): Promise<void> {
      await redis.set(keys.activity(activity.id), JSON.stringify(activity), 'EX', ACTIVITY_TTL_SECONDS);
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

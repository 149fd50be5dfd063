// Idempotency markers: a platform event or an inbound activity is applied once.
import { type RedisClient, getKeys } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import type { InboxReplayKey } from '../inbox/replay-key';

const EVENT_TTL_SECONDS = 30 * 24 * 3600;
const INBOX_TTL_SECONDS = 7 * 24 * 3600;

export function dedupeStore(redis: RedisClient, keys: RedisKeys) {
  return {
    /** Which of these event ids were applied already (one round trip; one per node on a cluster). */
    async appliedEvents(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const flags = await getKeys(redis, ids.map((id) => keys.eventApplied(id)));
      return new Set(ids.filter((_, i) => flags[i] !== null));
    },
    markEventApplied: (id: string) => redis.set(keys.eventApplied(id), '1', 'EX', EVENT_TTL_SECONDS),
    isEventApplied: async (id: string) => (await redis.exists(keys.eventApplied(id))) === 1,
    inboxSeen: async (key: InboxReplayKey) => (await redis.exists(keys.inboxSeen(key))) === 1,
    markInboxSeen: (key: InboxReplayKey) => redis.set(keys.inboxSeen(key), '1', 'EX', INBOX_TTL_SECONDS),
  };
}

export type DedupeStore = ReturnType<typeof dedupeStore>;

// A fan-out's plan: which delivery batch each inbox went into. Followers come page by page and a
// server's shared inbox turns up on many pages; the plan gives each inbox one batch for the
// whole fan-out, so no inbox gets the activity twice. Assigning and recording batches is one
// script, so a fan-out that crashed before queueing a batch finds it in the plan when retried.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';

/** A retried fan-out finds its plan for this long; the plan is dropped when the fan-out ends. */
const PLAN_TTL_SECONDS = 2 * 24 * 3600;

// KEYS[1] plan. ARGV: batchSize, ttl, replanOld ('1' on a retry), inboxes. Returns a flat list of
// batch number, inboxes joined by '\n' for every new batch (and, on a retry, every earlier batch
// these inboxes were planned in: it may never have been queued).
const PLAN = `
local size, ttl, old = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local newline = string.char(10)
local fresh, seen, out = {}, {}, {}
for i = 4, #ARGV do
  local inbox = ARGV[i]
  if not seen[inbox] then
    seen[inbox] = true
    local n = redis.call('HGET', KEYS[1], inbox)
    if n then
      if old and not seen['b:' .. n] then
        seen['b:' .. n] = true
        table.insert(out, n)
        table.insert(out, redis.call('HGET', KEYS[1], 'b:' .. n))
      end
    else
      table.insert(fresh, inbox)
    end
  end
end
for i = 1, #fresh, size do
  local n = tostring(redis.call('HINCRBY', KEYS[1], 'n', 1))
  local batch = {}
  for j = i, math.min(i + size - 1, #fresh) do
    batch[#batch + 1] = fresh[j]
    redis.call('HSET', KEYS[1], fresh[j], n)
  end
  local joined = table.concat(batch, newline)
  redis.call('HSET', KEYS[1], 'b:' .. n, joined)
  table.insert(out, n)
  table.insert(out, joined)
end
redis.call('EXPIRE', KEYS[1], ttl)
return out
`;

export interface PlannedBatch {
  /** the batch's number in this fan-out: with the activity id, its job id */
  n: string;
  inboxes: string[];
}

export function fanoutPlanStore(redis: RedisClient, keys: RedisKeys) {
  return {
    /** Plans a page of inboxes into batches; returns the batches to queue (queueing one twice is a no-op). */
    async plan(activityId: string, inboxes: string[], batchSize: number, retry: boolean): Promise<PlannedBatch[]> {
      if (inboxes.length === 0) return [];
      const flat = (await redis.eval(PLAN, 1, keys.fanoutPlan(activityId), String(batchSize), String(PLAN_TTL_SECONDS), retry ? '1' : '0', ...inboxes)) as string[];
      const batches: PlannedBatch[] = [];
      for (let i = 0; i < flat.length; i += 2) batches.push({ n: flat[i]!, inboxes: flat[i + 1]!.split('\n') });
      return batches;
    },
    drop: (activityId: string) => redis.unlink(keys.fanoutPlan(activityId)).then(() => undefined),
  };
}

export type FanoutPlanStore = ReturnType<typeof fanoutPlanStore>;

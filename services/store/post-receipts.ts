// Where a post's Create and Delete stand at each inbox. It orders a post's activities per inbox
// (an Update or Delete never overtakes the Create; a Delete cancels a Create not yet delivered)
// and answers GET /platform/posts/{id}/federation: where does a deleted post still live?
// Every transition is one Lua script over the post's receipts hash, so concurrent workers agree.
import type { RedisClient } from './redis';
import type { RedisKeys } from '../../config/redis-keys';
import { httpUrl } from '../activitypub/as-read';
import { coalescedWritesByKey } from './shared-reads';

/**
 * c:queued        Create queued, not yet accepted (also between its retries)
 * c:sending:<ms>  Create POST in flight since <ms>
 * c:ok            Create accepted
 * c:failed        Create refused for good or out of attempts: the server never had the post
 * c:cancelled     a Delete came first: the Create is not sent, nor the Delete
 * d:ok            Delete accepted
 * d:failed        Delete refused for good or out of attempts: the server may still hold the post
 * u:sent          reached by an Update only (e.g. a mention added by an edit): later Updates and
 *                 the Delete go there too
 * d:ok:u, d:failed:u  the Delete's outcome at an inbox only Updates reached (no Create was accepted there)
 * The hash's fields are every inbox the post reached: Updates and the Delete go to all of them.
 */
export type ReceiptState = 'c:queued' | 'c:sending' | 'c:ok' | 'c:failed' | 'c:cancelled' | 'd:ok' | 'd:failed' | 'd:ok:u' | 'd:failed:u' | 'u:sent';

/** What a Delete or Update job does at one inbox. */
export type StepVerdict = 'send' | 'wait' | 'skip' | 'cancelled';

/** A POST in flight longer than this died with its worker: it may have landed, so a Delete goes. */
export const SENDING_STALE_MS = 120_000;

// KEYS[1] receipts. ARGV: inboxes. A Create is (re)queued where no live Create stands.
const QUEUE_CREATE = `
for i, inbox in ipairs(ARGV) do
  local cur = redis.call('HGET', KEYS[1], inbox)
  if not cur or cur == 'c:cancelled' or cur == 'u:sent' or string.sub(cur, 1, 2) == 'd:' then redis.call('HSET', KEYS[1], inbox, 'c:queued') end
end
return 1
`;

// KEYS[1] receipts. ARGV: inboxes an Update reached; those the post never reached become u:sent.
const RECORD_REACHED = `
for i, inbox in ipairs(ARGV) do redis.call('HSETNX', KEYS[1], inbox, 'u:sent') end
return 1
`;

// KEYS[1] receipts. ARGV: now, inboxes. Claims each inbox for sending its Create: 1 claimed,
// 0 when it was already accepted there, cancelled by a Delete, or the Delete went already.
const CLAIM_CREATE = `
local out = {}
for i = 2, #ARGV do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur == 'c:ok' or cur == 'c:cancelled' or (cur and string.sub(cur, 1, 2) == 'd:') then
    out[i - 1] = 0
  else
    redis.call('HSET', KEYS[1], ARGV[i], 'c:sending:' .. ARGV[1])
    out[i - 1] = 1
  end
end
return out
`;

// KEYS[1] receipts. ARGV: pairs of inbox, state. A Create's outcome lands only over its own claim:
// a Delete that went meanwhile (the claim was stale) keeps its receipt.
const SETTLE_CREATE = `
for i = 1, #ARGV, 2 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur and string.sub(cur, 1, 10) == 'c:sending:' then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;

// KEYS[1] receipts. ARGV: pairs of inbox, state. Where only Updates had gone the outcome keeps
// that (':u'): the receipts must not count a Create accepted there.
const SETTLE_DELETE = `
for i = 1, #ARGV, 2 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local onlyUpdates = cur == 'u:sent' or (cur and string.sub(cur, -2) == ':u')
  redis.call('HSET', KEYS[1], ARGV[i], onlyUpdates and (ARGV[i + 1] .. ':u') or ARGV[i + 1])
end
return 1
`;

// KEYS[1] receipts. ARGV: now, staleMs, kind ('delete'|'update'), inboxes. Verdicts per inbox.
const STEP = `
local now, stale, kind = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local out = {}
for i = 4, #ARGV do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local v = 'send'
  if cur == 'c:queued' then
    if kind == 'delete' then redis.call('HSET', KEYS[1], ARGV[i], 'c:cancelled'); v = 'cancelled' else v = 'wait' end
  elseif cur and string.sub(cur, 1, 10) == 'c:sending:' then
    if now - tonumber(string.sub(cur, 11)) < stale then v = 'wait' end
  elseif cur == 'c:failed' or cur == 'c:cancelled' or (cur and string.sub(cur, 1, 4) == 'd:ok') then v = 'skip'
  elseif cur and string.sub(cur, 1, 8) == 'd:failed' and kind == 'update' then v = 'skip'
  end
  out[i - 3] = v
end
return out
`;

export type CreateOutcome = 'c:ok' | 'c:failed' | 'c:queued';
export type DeleteOutcome = 'd:ok' | 'd:failed';

export interface ServerReceipt {
  domain: string;
  inboxes: number;
  create: { accepted: number; failed: number; pending: number; cancelled: number };
  delete: { acknowledged: number; failed: number };
}

export function postReceiptStore(redis: RedisClient, keys: RedisKeys) {
  const key = keys.postReceipts;
  const settleCreate = async (postId: string, outcomes: Array<[inbox: string, state: CreateOutcome]>): Promise<void> => {
    if (outcomes.length) await redis.eval(SETTLE_CREATE, 1, key(postId), ...outcomes.flat());
  };
  const settleDelete = async (postId: string, outcomes: Array<[inbox: string, state: DeleteOutcome]>): Promise<void> => {
    if (outcomes.length) await redis.eval(SETTLE_DELETE, 1, key(postId), ...outcomes.flat());
  };
  return {
    async queueCreate(postId: string, inboxes: string[]): Promise<void> {
      if (inboxes.length) await redis.eval(QUEUE_CREATE, 1, key(postId), ...inboxes);
    },
    /** Inboxes an Update reached: kept (as u:sent where the post's Create never went) for the next Update and the Delete. */
    async recordReached(postId: string, inboxes: string[]): Promise<void> {
      if (inboxes.length) await redis.eval(RECORD_REACHED, 1, key(postId), ...inboxes);
    },
    /** Pages through every inbox the post reached, without loading them all. */
    async *inboxPages(postId: string, pageSize = 1000): AsyncGenerator<string[]> {
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(key(postId), cursor, 'COUNT', pageSize);
        cursor = next;
        const page = flat.filter((_, i) => i % 2 === 0);
        if (page.length) yield page;
      } while (cursor !== '0');
    },
    /** Which of these inboxes this job may send the post's Create to (true) — marked in flight. */
    async claimCreate(postId: string, inboxes: string[], now = Date.now()): Promise<boolean[]> {
      const flags = (await redis.eval(CLAIM_CREATE, 1, key(postId), String(now), ...inboxes)) as number[];
      return flags.map((f) => f === 1);
    },
    /**
     * The outcome of a claimed Create (accepted, failed for good, or queued again for a retry),
     * written with the others of the same post known in the same turn (one write).
     */
    settleCreateSoon: coalescedWritesByKey<string, [string, CreateOutcome]>(settleCreate),
    /** What a Delete (cancelling Creates still queued) or an Update does at each inbox. */
    async step(postId: string, kind: 'delete' | 'update', inboxes: string[], now = Date.now()): Promise<StepVerdict[]> {
      return (await redis.eval(STEP, 1, key(postId), String(now), String(SENDING_STALE_MS), kind, ...inboxes)) as StepVerdict[];
    },
    /** The outcome of a Delete sent to an inbox, written as settleCreateSoon writes. */
    settleDeleteSoon: coalescedWritesByKey<string, [string, DeleteOutcome]>(settleDelete),
    /** Receipts by server, read page by page (a post may have reached tens of thousands). */
    async byServer(postId: string, pageSize = 1000): Promise<ServerReceipt[]> {
      const servers = new Map<string, ServerReceipt>();
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(key(postId), cursor, 'COUNT', pageSize);
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) tally(servers, flat[i]!, flat[i + 1]!);
      } while (cursor !== '0');
      return [...servers.values()].sort((a, b) => a.domain.localeCompare(b.domain));
    },
    erase: (postId: string) => redis.unlink(key(postId)).then(() => undefined),
  };
}

function tally(servers: Map<string, ServerReceipt>, inbox: string, state: string): void {
  const domain = httpUrl(inbox)?.hostname ?? inbox;
  let s = servers.get(domain);
  if (!s) servers.set(domain, (s = { domain, inboxes: 0, create: { accepted: 0, failed: 0, pending: 0, cancelled: 0 }, delete: { acknowledged: 0, failed: 0 } }));
  s.inboxes++;
  if (state === 'c:ok') s.create.accepted++;
  else if (state === 'c:failed') s.create.failed++;
  else if (state === 'c:cancelled') s.create.cancelled++;
  else if (state === 'd:ok') (s.create.accepted++, s.delete.acknowledged++);
  else if (state === 'd:failed') (s.create.accepted++, s.delete.failed++);
  else if (state === 'd:ok:u') s.delete.acknowledged++;
  else if (state === 'd:failed:u') s.delete.failed++;
  else if (state !== 'u:sent') s.create.pending++;
}

export type PostReceiptStore = ReturnType<typeof postReceiptStore>;

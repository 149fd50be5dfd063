// Callbacks about one object reach the platform in the order they were queued. Callback jobs
// run concurrently and back off on their own, so after a platform outage a note's post.updated
// could otherwise overtake its post.created, or a follower.removed its follower.added.
//
// Each object (services/activitypub/callback-objects.ts) has a sorted set in Redis of its
// undelivered callbacks' job ids, scored by when they were queued (ms, strictly increasing per
// object). A callback job posts only when it is first; otherwise it steps aside (moved to
// delayed: not an attempt) and is woken when the one ahead leaves. A callback leaves when it is
// delivered, refused for good (4xx), superseded or out of attempts. An entry whose job is
// finished or gone (a crash between taking the place and queueing the job, a job removed by
// hand) is dropped by the next in line, so nothing waits forever behind it.
import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import { callbackObjectKey } from '../activitypub/callback-objects';
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';
import { jobIdOf } from '../queue/jobs';

/** Longer than a callback retries (110 attempts, at most ~55 h): abandoned sets expire. */
const ORDER_TTL_SECONDS = 7 * 24 * 3600;
/** A place taken this recently may still be waiting for its job to be queued. */
const MISSING_JOB_GRACE_MS = 60_000;
/** States in which a callback ahead may still be posted. */
const PENDING = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children', 'paused']);

export const callbackJobId = (envelope: CallbackEnvelope) => jobIdOf('callback', envelope.id);

function orderKey(g: Gateway, envelope: CallbackEnvelope): string | undefined {
  const key = callbackObjectKey(envelope);
  // Hashed: the key names no account or URI (erasure leaves nothing readable behind).
  return key && g.keys.callbackOrder(createHash('sha256').update(key).digest('base64url').slice(0, 32));
}

// KEYS: order set. ARGV: job id, now ms, TTL s. A place already taken is kept (a retried inbox
// job queues the same callback again); a new one goes last, scored at least 1 ms after the last.
const TAKE_PLACE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local score = tonumber(ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 1 end
redis.call('ZADD', KEYS[1], score, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

/** Called before the callback's job is queued, so the job always finds its place. */
export async function takeCallbackPlace(g: Gateway, envelope: CallbackEnvelope, now = Date.now()): Promise<void> {
  const key = orderKey(g, envelope);
  if (key) await g.redis.eval(TAKE_PLACE, 1, key, callbackJobId(envelope), now, ORDER_TTL_SECONDS);
}

/** Whether this callback may be posted now: no earlier callback about its object is pending. */
export async function isCallbackTurn(g: Gateway, envelope: CallbackEnvelope, now = Date.now()): Promise<boolean> {
  const key = orderKey(g, envelope);
  if (!key) return true;
  const own = callbackJobId(envelope);
  for (let dropped = 0; dropped < 20; dropped++) {
    const [[, mine], [, head]] = (await g.redis.multi().zscore(key, own).zrange(key, 0, 0, 'WITHSCORES').exec()) as [[null, string | null], [null, string[]]];
    // No place: queued before ordering existed, or its set expired. Nothing to wait for.
    if (mine === null || head[0] === undefined || head[0] === own) return true;
    const state = await g.queues.callbacks.getJobState(head[0]);
    if (PENDING.has(state)) return false;
    if (state === 'unknown' && now - Number(head[1]) < MISSING_JOB_GRACE_MS) return false;
    // Finished or gone: it is no longer ahead.
    await g.redis.zrem(key, head[0]);
  }
  return false;
}

/** Leaves the order for good and wakes the next callback about the object, if it stepped aside. */
export async function leaveCallbackOrder(g: Gateway, envelope: CallbackEnvelope): Promise<void> {
  const key = orderKey(g, envelope);
  if (!key) return;
  const [, [, next]] = (await g.redis.multi().zrem(key, callbackJobId(envelope)).zrange(key, 0, 0).exec()) as [[null, number], [null, string[]]];
  if (next[0]) await wake(g, next[0]);
}

async function wake(g: Gateway, jobId: string): Promise<void> {
  const job = await g.queues.callbacks.getJob(jobId);
  // Not delayed (any more): it is running or queued and will look again by itself.
  if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
}

/** How long a callback waits before it looks again if nothing wakes it: longer the longer it has waited. */
export function recheckMs(queuedAt: number, now = Date.now()): number {
  return Math.min(60_000, Math.max(1000, Math.round((now - queuedAt) / 4)));
}

/**
 * Steps the job aside (moved to delayed, not an attempt) until the callback ahead wakes it. The one
 * ahead may have left between the check and the move, finding this job still active: so look
 * once more after the move, and wake this job if its turn has come.
 */
export async function stepAside(g: Gateway, job: Job<CallbackEnvelope>, token: string | undefined): Promise<void> {
  await job.moveToDelayed(Date.now() + recheckMs(job.timestamp), token);
  if (await isCallbackTurn(g, job.data)) await wake(g, job.id!);
}

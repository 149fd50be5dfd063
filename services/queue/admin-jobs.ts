// What the operator sees of the queues and can do to failed jobs (behind /admin/jobs).
import type { Job, Queue } from 'bullmq';
import { type FailedJob, QUEUE_LIST, type QueueCounts, type RetryResult } from './admin-schemas';
import type { Queues } from './queues';

/** Retries run this many jobs at once: a retry of thousands stays a stream of small round trips. */
const RETRY_BATCH = 100;

export async function queueCounts(queues: Queues): Promise<QueueCounts[]> {
  return Promise.all(
    QUEUE_LIST.map(async (queue) => {
      const c = await (queues[queue] as Queue).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return { queue, waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 };
    }),
  );
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export function describeFailed(job: Job): FailedJob {
  const finishedOn = iso(job.finishedOn);
  return {
    id: job.id!,
    name: job.name,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason ?? '',
    createdAt: iso(job.timestamp) ?? '',
    ...(finishedOn ? { finishedOn } : {}),
    data: job.data,
  };
}

/** The most recently failed jobs first. */
export async function failedJobs(queue: Queue, limit: number): Promise<{ failed: number; items: FailedJob[] }> {
  const [failed, jobs] = await Promise.all([queue.getFailedCount(), queue.getFailed(0, limit - 1)]);
  // A job removed between the range read and the fetch comes back empty.
  return { failed, items: (jobs as Job[]).filter((j) => j?.id).map(describeFailed) };
}

/**
 * Moves failed jobs back to waiting with their attempts reset, so each gets its whole retry
 * schedule again. `all` takes the failed set as it is now: a job that fails again while the retry
 * runs is not picked up a second time.
 */
export async function retryFailed(queue: Queue, which: { jobIds: string[] } | { all: true }): Promise<Omit<RetryResult, 'queue'>> {
  const ids = 'all' in which ? await queue.getRanges(['failed'], 0, -1) : [...new Set(which.jobIds)];
  let retried = 0;
  const notRetried: RetryResult['notRetried'] = [];
  for (let i = 0; i < ids.length; i += RETRY_BATCH) {
    const outcomes = await Promise.all(ids.slice(i, i + RETRY_BATCH).map((jobId) => retryOne(queue, jobId)));
    // In the order asked for, whichever finished first.
    for (const o of outcomes) o === 'retried' ? retried++ : notRetried.push(o);
  }
  return { retried, notRetried };
}

async function retryOne(queue: Queue, jobId: string): Promise<'retried' | RetryResult['notRetried'][number]> {
  const job = await queue.getJob(jobId);
  if (!job) return { jobId, reason: 'not_found' };
  try {
    // Atomic: refused unless the job is in the failed set at that moment.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return 'retried';
  } catch (err) {
    const state = await job.getState();
    // Still failed: the retry itself broke (Redis), which is no answer about the job.
    if (state === 'failed') throw err;
    return { jobId, reason: 'not_failed', state };
  }
}

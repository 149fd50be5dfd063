// Runs delivery jobs. A batch job carries one activity to several inboxes (a fan-out's first
// attempt: one job instead of one per inbox); an inbox that must try again splits off as a job
// of its own, whose retries go on from the batch's attempt. A single job maps its one outcome to
// what BullMQ understands (return, retryable error, UnrecoverableError, or step aside).
import { UnrecoverableError } from 'bullmq';
import { JOB_OPTIONS } from '../../config/queues';
import type { Gateway } from '../gateway';
import { type DeliveryBatchJob, type DeliveryJob, jobIdOf } from '../queue/jobs';
import { deliveryDelayMs } from '../remote/retry-policy';
import { type InboxOutcome, deliverToInbox, prepareActivity } from './deliver-inbox';
import { deliverInOrder } from './ordered-delivery';

/** A transient failure; carries the server's Retry-After for the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** waited: an Update stepping aside for its Create (the next wait is longer) */
export type DeliveryRun = { status?: number; skipped?: string } | { deferMs: number; waited?: true };

export async function runDelivery(g: Gateway, job: DeliveryJob, attempt: { last?: boolean } = {}): Promise<DeliveryRun> {
  const activity = await prepareActivity(g, job);
  if ('unrecoverable' in activity) throw new UnrecoverableError(activity.unrecoverable);
  if ('skipped' in activity) return activity;
  const [outcome] = await deliverInOrder(g, job.postStep, [job.inbox], (inbox) => deliverToInbox(g, job, activity, inbox), {
    lastAttempt: attempt.last ?? false,
    waits: job.waits ?? 0,
  });
  switch (outcome!.kind) {
    case 'delivered':
      return outcome!.status ? { status: outcome!.status } : {};
    case 'skipped':
      return { skipped: outcome!.reason };
    case 'defer':
      return { deferMs: outcome!.ms, ...(outcome!.reason === 'create_first' ? { waited: true as const } : {}) };
    case 'final':
      throw new UnrecoverableError(outcome!.reason);
    case 'retry':
      throw new RetryableDeliveryError(outcome!.reason, outcome!.retryAfterMs);
  }
}

export interface BatchRun {
  delivered: number;
  skipped: number;
  failed: number;
  /** inboxes split off into jobs of their own: to retry, or stepping aside */
  split: number;
}

export async function runDeliveryBatch(g: Gateway, job: DeliveryBatchJob): Promise<BatchRun> {
  const run: BatchRun = { delivered: 0, skipped: 0, failed: 0, split: 0 };
  const activity = await prepareActivity(g, job);
  if ('unrecoverable' in activity) throw new UnrecoverableError(activity.unrecoverable);
  if ('skipped' in activity) return { ...run, skipped: job.inboxes.length };
  const outcomes = await deliverInOrder(g, job.postStep, job.inboxes, (inbox) => deliverToInbox(g, job, activity, inbox));
  const off: SplitOff[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'delivered') run.delivered++;
    else if (outcome.kind === 'skipped') run.skipped++;
    else {
      if (outcome.kind === 'final') run.failed++;
      else run.split++;
      off.push({ inbox: job.inboxes[i]!, outcome });
    }
  });
  if (off.length) await splitOff(g, job, off);
  return run;
}

type SplitOff = { inbox: string; outcome: Extract<InboxOutcome, { kind: 'retry' | 'defer' | 'final' }> };

/**
 * Inboxes of a batch that did not take the activity become single jobs: a retry goes on from the
 * batch's attempt, a step aside comes back later, and a refusal is recorded as a failed job.
 */
async function splitOff(g: Gateway, job: DeliveryBatchJob, off: SplitOff[]) {
  const { inboxes: _all, ...common } = job;
  const attempts = JOB_OPTIONS.delivery.attempts ?? 16;
  await g.queues.delivery.addBulk(
    off.map(({ inbox, outcome }) => {
      const opts = { jobId: jobIdOf('delivery', job.activityId, inbox) };
      switch (outcome.kind) {
        case 'final':
          return { name: 'deliver', data: { ...common, inbox, refused: outcome.reason }, opts };
        case 'retry':
          return { name: 'deliver', data: { ...common, inbox, priorAttempts: 1 }, opts: { ...opts, delay: deliveryDelayMs(1, outcome.retryAfterMs), attempts: attempts - 1 } };
        case 'defer':
          return { name: 'deliver', data: { ...common, inbox, ...(outcome.reason === 'create_first' ? { waits: 1 } : {}) }, opts: { ...opts, delay: outcome.ms } };
      }
    }),
  );
}

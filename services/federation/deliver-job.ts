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
  const again: Array<{ inbox: string; outcome: Extract<InboxOutcome, { kind: 'retry' | 'defer' }> }> = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'delivered') run.delivered++;
    else if (outcome.kind === 'skipped') run.skipped++;
    else if (outcome.kind === 'final') {
      run.failed++;
      g.logger.info({ inbox: job.inboxes[i], reason: outcome.reason }, 'delivery: refused for good');
    } else again.push({ inbox: job.inboxes[i]!, outcome });
  });
  if (again.length) await splitOff(g, job, again);
  run.split = again.length;
  return run;
}

/** Inboxes of a batch that must go again become single jobs: a retry counts the batch's attempt. */
async function splitOff(g: Gateway, job: DeliveryBatchJob, again: Array<{ inbox: string; outcome: Extract<InboxOutcome, { kind: 'retry' | 'defer' }> }>) {
  const { inboxes: _all, ...common } = job;
  const attempts = JOB_OPTIONS.delivery.attempts ?? 16;
  await g.queues.delivery.addBulk(
    again.map(({ inbox, outcome }) => {
      const retry = outcome.kind === 'retry';
      const data: DeliveryJob = { ...common, inbox, ...(retry ? { priorAttempts: 1 } : {}), ...(outcome.kind === 'defer' && outcome.reason === 'create_first' ? { waits: 1 } : {}) };
      const delay = retry ? deliveryDelayMs(1, outcome.retryAfterMs) : outcome.ms;
      return { name: 'deliver', data, opts: { jobId: jobIdOf('delivery', job.activityId, inbox), delay, ...(retry ? { attempts: attempts - 1 } : {}) } };
    }),
  );
}

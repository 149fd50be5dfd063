// Starts every worker of this process; close() lets active jobs finish (or hands them back).
import { DelayedError, type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import { JOB_OPTIONS, QUEUE_NAMES, type QueueName, queuePrefix } from '../config/queues';
import { applyPlatformEvent } from '../services/federation/apply-platform-event';
import { runDelivery, runDeliveryBatch } from '../services/federation/deliver-job';
import { fanout } from '../services/federation/fanout';
import { handleInbound } from '../services/federation/handle-inbound';
import type { Gateway } from '../services/gateway';
import type { RedisClient } from '../services/store/redis';
import type { CallbackJob, DeliveryBatchJob, DeliveryJob, EventJob, FanoutJob, InboxJob, ModerationJob } from '../services/queue/jobs';
import { purgeDomainFollowers } from '../services/moderation/purge-domain-followers';
import { backoffStrategy } from './backoff';
import { runCallback } from '../services/federation/callback-job';
import { stepAside } from '../services/federation/callback-order';
import { inboxReplayKey } from '../services/inbox/replay-key';

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(g: Gateway): RunningWorkers {
  // Each worker's connection is its own duplicate, which BullMQ's close() leaves open.
  const connections: RedisClient[] = [];
  const make = <T, R>(name: QueueName, concurrency: number, run: (data: T, job: Job<T>, token?: string) => Promise<R>) => {
    const processor: Processor<T, R> = async (job, token) => {
      const log = g.logger.child({ queue: name, jobId: job.id, attempt: job.attemptsMade + 1 });
      try {
        const result = await run(job.data, job, token);
        log.debug({ result }, 'job done');
        return result;
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        log.warn({ err: (err as Error).message }, 'job failed');
        throw err;
      }
    };
    const connection = g.queueRedis.duplicate();
    connections.push(connection);
    const worker = new Worker<T, R>(QUEUE_NAMES[name], processor, {
      connection,
      prefix: queuePrefix(g.config.redisPrefix, name),
      concurrency,
      settings: { backoffStrategy },
      // A worker that dies mid-job (kill -9, OOM) leaves its jobs locked: they go back to the queue
      // once the lock lapses and a stalled check runs. BullMQ fails a job for good after
      // maxStalledCount such returns (default 1: two crashes would lose a delivery), so a job may
      // stall as often as it may be attempted.
      lockDuration: g.config.workerLockMs,
      stalledInterval: g.config.workerStalledCheckMs,
      maxStalledCount: JOB_OPTIONS[name].attempts ?? 1,
    });
    worker.on('error', (err) => g.logger.error({ queue: name, err: err.message }, 'worker error'));
    return worker;
  };

  const workers = [
    // On its last attempt a post goes out without references whose servers are still down.
    make<EventJob, string>('events', 10, (e, job) => applyPlatformEvent(g, e, { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) })),
    make<FanoutJob, unknown>('fanout', 4, (j, job) => fanout(g, j, { retry: job.attemptsMade > 0 })),
    make<DeliveryJob | DeliveryBatchJob, unknown>('delivery', g.config.deliveryConcurrency, async (j, job, token) => {
      if ('inboxes' in j) return runDeliveryBatch(g, j);
      if (j.refused) {
        // A refusal recorded from a batch: fail without a POST; an operator's retry then delivers.
        const { refused, ...retryable } = j;
        await job.updateData(retryable);
        throw new UnrecoverableError(refused);
      }
      const run = await runDelivery(g, j, { last: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      // Its domain is at its in-flight limit, or an Update waits for its Create: the job steps
      // aside (not an attempt) and frees the slot.
      if ('deferMs' in run) {
        if (run.waited) await job.updateData({ ...j, waits: (j.waits ?? 0) + 1 });
        await job.moveToDelayed(Date.now() + run.deferMs, token);
        throw new DelayedError();
      }
      return run;
    }),
    make<InboxJob, unknown>('inbox', 10, async (j) => {
      const result = await handleInbound(g, j);
      g.metrics.inboxProcessed.inc({ outcome: result.outcome, reason: result.outcome === 'ignored' ? result.reason : result.kind });
      if (result.outcome === 'ignored') g.logger.info({ activity: j.activity.id, reason: result.reason }, 'inbox: activity not applied');
      // Marked even when not applied: the key is the signer's own (replay-key.ts), so it holds back
      // only that signer's repeats, never another actor's activity with the same id. Not for an
      // unverified self-Delete: a later copy must be checked again, the actor may be gone by then.
      if (!j.unverifiedGoneActor) await g.dedupe.markInboxSeen(inboxReplayKey(j));
      return result;
    }),
    make<CallbackJob, unknown>('callbacks', 10, async (j, job, token) => {
      const run = await runCallback(g, j, { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      // From queued to accepted: the platform's outages and an object's earlier callbacks included.
      if (run === 'delivered') g.metrics.callbackLagSeconds.observe((Date.now() - job.timestamp) / 1000);
      // An earlier callback about the same object is still undelivered: wait for it (not an attempt).
      if (run === 'wait') {
        await stepAside(g, job, token);
        throw new DelayedError();
      }
      return run;
    }),
    make<ModerationJob, unknown>('moderation', 1, (j) => purgeDomainFollowers(g, j.domain)),
  ];
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      // Not Worker.disconnect(): it also waits for the blocking connection close() just ended
      // to emit 'end' again, which a Redis Cluster client never does (close() hung).
      for (const connection of connections) connection.disconnect();
    },
  };
}

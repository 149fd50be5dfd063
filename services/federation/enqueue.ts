// Enqueue helpers with stable job ids: a retried worker step never queues the same work twice.
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';
import { type DeliveryBatchJob, type FanoutJob, type Signer, jobIdOf } from '../queue/jobs';

const KNOWN_INBOXES_TTL_SECONDS = 400 * 24 * 3600;

export async function enqueueFanout(g: Gateway, job: FanoutJob): Promise<void> {
  await g.queues.fanout.add('fanout', job, { jobId: jobIdOf('fanout', job.activityId) });
}

// Every inbox that heard from an account will hear of its Delete(Person) when it leaves. The
// set lives as long as follows do once the account goes quiet (and a fan-out still running
// when an account is erased cannot leave it behind for good).
async function rememberInboxes(g: Gateway, signer: Signer, inboxes: string[]): Promise<void> {
  if (!('accountId' in signer)) return;
  const known = g.keys.accountInboxes(signer.accountId);
  await g.redis.multi().sadd(known, ...inboxes).expire(known, KNOWN_INBOXES_TTL_SECONDS).exec();
}

/** A fan-out page: one job per DELIVERY_BATCH_SIZE inboxes (their first attempt). */
export async function enqueueDeliveryBatches(g: Gateway, common: Omit<DeliveryBatchJob, 'inboxes'>, inboxes: string[]): Promise<void> {
  if (inboxes.length === 0) return;
  await rememberInboxes(g, common.signer, inboxes);
  const size = g.config.deliveryBatchSize;
  const jobs = [];
  for (let i = 0; i < inboxes.length; i += size) {
    const batch = inboxes.slice(i, i + size);
    // The id is the batch's content: a retried fan-out page queues nothing twice.
    jobs.push({ name: 'deliver-batch', data: { ...common, inboxes: batch }, opts: { jobId: jobIdOf('delivery-batch', common.activityId, ...batch) } });
  }
  await g.queues.delivery.addBulk(jobs);
}

export async function enqueueDeliveries(g: Gateway, activityId: string, signer: Signer, inboxes: string[], livePostId?: string, opts: { delayMs?: number; despiteBlock?: true } = {}): Promise<void> {
  if (inboxes.length === 0) return;
  await rememberInboxes(g, signer, inboxes);
  await g.queues.delivery.addBulk(
    inboxes.map((inbox) => ({
      name: 'deliver',
      data: { activityId, signer, inbox, ...(livePostId ? { livePostId } : {}), ...(opts.despiteBlock ? { despiteBlock: true as const } : {}) },
      opts: { jobId: jobIdOf('delivery', activityId, inbox), ...(opts.delayMs ? { delay: opts.delayMs } : {}) },
    })),
  );
}

export async function enqueueCallback(g: Gateway, envelope: CallbackEnvelope): Promise<void> {
  await g.queues.callbacks.add(envelope.type, envelope, { jobId: jobIdOf('callback', envelope.id) });
}

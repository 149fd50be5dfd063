// Enqueue helpers with stable job ids: a retried worker step never queues the same work twice.
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';
import { callbackJobId, takeCallbackPlace } from './callback-order';
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

/** A fan-out page: its inboxes go into the fan-out's plan, one delivery job per planned batch. */
export async function enqueueDeliveryBatches(g: Gateway, common: Omit<DeliveryBatchJob, 'inboxes'>, inboxes: string[], retry: boolean): Promise<void> {
  if (inboxes.length === 0) return;
  await rememberInboxes(g, common.signer, inboxes);
  const batches = await g.fanoutPlans.plan(common.activityId, inboxes, g.config.deliveryBatchSize, retry);
  if (batches.length === 0) return;
  await g.queues.delivery.addBulk(
    batches.map((b) => ({ name: 'deliver-batch', data: { ...common, inboxes: b.inboxes }, opts: { jobId: jobIdOf('delivery-batch', common.activityId, b.n) } })),
  );
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
  // Its place among the callbacks about the same object first: the job always finds it.
  await takeCallbackPlace(g, envelope);
  await g.queues.callbacks.add(envelope.type, envelope, { jobId: callbackJobId(envelope) });
}

// Enqueue helpers with stable job ids: a retried worker step never queues the same work twice.
import type { CallbackEnvelope } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';
import { type FanoutJob, type Signer, jobIdOf } from '../queue/jobs';

export async function enqueueFanout(g: Gateway, job: FanoutJob): Promise<void> {
  await g.queues.fanout.add('fanout', job, { jobId: jobIdOf('fanout', job.activityId) });
}

export async function enqueueDeliveries(g: Gateway, activityId: string, signer: Signer, inboxes: string[], livePostId?: string, opts: { despiteBlock?: true } = {}): Promise<void> {
  if (inboxes.length === 0) return;
  await g.queues.delivery.addBulk(
    inboxes.map((inbox) => ({
      name: 'deliver',
      data: { activityId, signer, inbox, ...(livePostId ? { livePostId } : {}), ...opts },
      opts: { jobId: jobIdOf('delivery', activityId, inbox) },
    })),
  );
}

export async function enqueueCallback(g: Gateway, envelope: CallbackEnvelope): Promise<void> {
  await g.queues.callbacks.add(envelope.type, envelope, { jobId: jobIdOf('callback', envelope.id) });
}

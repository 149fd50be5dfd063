// Runs one delivery job: load the activity and the signer's key, POST (signed with the scheme
// the server is known to take, double-knocking on a 401), remember a scheme that took over, and
// turn the verdict into what BullMQ understands (return, retryable error, UnrecoverableError).
import { UnrecoverableError } from 'bullmq';
import type { Gateway } from '../gateway';
import type { DeliveryJob } from '../queue/jobs';
import { deliverActivity } from '../remote/deliver';
import { signerHasLeft } from './apply-account-leave';
import { signatureSchemeStore } from '../store/signature-schemes';

/** A transient failure; carries the server's Retry-After for the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

export async function runDelivery(g: Gateway, job: DeliveryJob): Promise<{ status?: number; skipped?: string }> {
  // A Create still retrying when its post was deleted (or held back) must not revive it.
  if (job.livePostId && !(await g.posts.isFederated(job.livePostId))) {
    g.metrics.deliveries.inc({ outcome: 'superseded' });
    return { skipped: 'post no longer federated' };
  }
  // An account that left sends nothing after its Delete(Person).
  if (await signerHasLeft(g, job)) {
    g.metrics.deliveries.inc({ outcome: 'signer_left' });
    return { skipped: 'signer left the fediverse' };
  }
  // An account's deliveries never reach an actor it blocks (save the Block itself and its Undo).
  if (!job.despiteBlock && 'accountId' in job.signer && (await g.blocks.isInboxBlocked(job.signer.accountId, job.inbox))) {
    g.metrics.deliveries.inc({ outcome: 'blocked' });
    return { skipped: 'inbox of an actor the account blocks' };
  }
  // --- moderation: nothing goes to a domain the operator blocks, even a job queued before the block ---
  if (await g.domainBlocks.blockOfUrl(job.inbox)) {
    g.metrics.deliveries.inc({ outcome: 'domain_blocked' });
    return { skipped: 'domain blocked' };
  }
  const body = await g.activities.body(job.activityId);
  if (!body) throw new UnrecoverableError(`activity ${job.activityId} is no longer stored`);
  const key = await g.signingKey(job.signer);
  if (!key) throw new UnrecoverableError('the signing account no longer exists');
  const schemes = signatureSchemeStore(g.redis, g.keys);
  const origin = URL.canParse(job.inbox) ? new URL(job.inbox).origin : undefined;
  const first = origin ? await schemes.firstFor(origin) : undefined;
  const stop = g.metrics.deliverySeconds.startTimer();
  const result = await deliverActivity({ agent: g.agent, allowPrivateAddresses: g.config.allowPrivateAddresses, userAgent: g.userAgent }, job.inbox, body, key, first);
  stop();
  // Only a scheme that was accepted after the other got a 401 is worth remembering.
  if (origin && result.verdict.kind === 'delivered' && result.scheme && result.scheme !== first) {
    await schemes.remember(origin, result.scheme);
    g.logger.info({ origin, scheme: result.scheme }, 'delivery: server refused one signature scheme with 401 and took the other; remembered');
  }
  g.metrics.deliveries.inc({ outcome: result.verdict.kind });
  switch (result.verdict.kind) {
    case 'delivered':
      return { ...(result.status ? { status: result.status } : {}) };
    case 'gone':
      throw new UnrecoverableError(`inbox gone (410)`);
    case 'final':
      throw new UnrecoverableError(result.verdict.reason);
    case 'retry':
      throw new RetryableDeliveryError(result.verdict.reason, result.verdict.retryAfterMs);
  }
}

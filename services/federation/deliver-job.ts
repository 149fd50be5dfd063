// Runs one delivery job: load the activity and the signer's key, POST (signed with the scheme
// the server is known to take, double-knocking on a 401), remember a scheme that took over, and
// turn the verdict into what BullMQ understands (return, retryable error, UnrecoverableError).
import { UnrecoverableError } from 'bullmq';
import type { Gateway } from '../gateway';
import type { DeliveryJob } from '../queue/jobs';
import { deliverActivity } from '../remote/deliver';
import { signerHasLeft } from './apply-account-leave';
import { busyDelayMs, domainOf } from '../remote/domain-health';
import type { DeliveryResult } from '../remote/deliver';
import { onInboxGone } from './inbox-gone';

/** A transient failure; carries the server's Retry-After for the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

export type DeliveryRun = { status?: number; skipped?: string } | { deferMs: number };

export async function runDelivery(g: Gateway, job: DeliveryJob): Promise<DeliveryRun> {
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
  const schemes = g.signatureSchemes;
  const origin = URL.canParse(job.inbox) ? new URL(job.inbox).origin : undefined;
  const first = origin ? await schemes.firstFor(origin) : undefined;
  const domain = domainOf(job.inbox);
  // A dead or hanging server must not hold back the others: while its breaker is open its
  // deliveries fail fast (retried with backoff), and past its in-flight limit they yield.
  if (domain) {
    const openMs = await g.domainHealth.breakerRemainingMs(domain);
    if (openMs > 0) {
      g.metrics.deliveriesDeferred.inc({ reason: 'breaker_open' });
      throw new RetryableDeliveryError(`circuit open for ${domain}`, openMs);
    }
    if (!g.domainLimiter.tryAcquire(domain)) {
      g.metrics.deliveriesDeferred.inc({ reason: 'domain_busy' });
      return { deferMs: busyDelayMs() };
    }
  }
  let result: DeliveryResult;
  const stop = g.metrics.deliverySeconds.startTimer();
  try {
    result = await deliverActivity({ agent: g.agent, allowPrivateAddresses: g.config.allowPrivateAddresses, userAgent: g.userAgent }, job.inbox, body, key, first);
  } finally {
    stop();
    if (domain) g.domainLimiter.release(domain);
  }
  if (domain) await recordDomainHealth(g, domain, result);
  // Only a scheme that was accepted after the other got a 401 is worth remembering.
  if (origin && result.verdict.kind === 'delivered' && result.scheme && result.scheme !== first) {
    await schemes.remember(origin, result.scheme);
    g.logger.info({ origin, scheme: result.scheme }, 'delivery: server refused one signature scheme with 401 and took the other; remembered');
  }
  g.metrics.deliveries.inc({ outcome: result.verdict.kind });
  switch (result.verdict.kind) {
    case 'delivered':
      return { ...(result.status ? { status: result.status } : {}) };
    case 'gone': {
      const gone = await onInboxGone(g, 'accountId' in job.signer ? job.signer.accountId : undefined, job.inbox);
      g.logger.info({ inbox: job.inbox, gone }, 'delivery: inbox gone (410)');
      throw new UnrecoverableError(`inbox gone (410): ${gone.kind}`);
    }
    case 'final':
      throw new UnrecoverableError(result.verdict.reason);
    case 'retry':
      throw new RetryableDeliveryError(result.verdict.reason, result.verdict.retryAfterMs);
  }
}

async function recordDomainHealth(g: Gateway, domain: string, result: DeliveryResult): Promise<void> {
  if (result.verdict.kind === 'delivered') return g.domainHealth.recordAlive(domain);
  const outcome = await g.domainHealth.recordFailure(domain, result.verdict);
  if (outcome.breakerOpened) {
    g.metrics.breakerOpened.inc();
    g.logger.warn({ domain }, 'delivery: circuit breaker opened after consecutive network failures');
  }
  if (outcome.becameUnavailable) g.logger.warn({ domain }, 'delivery: domain unavailable after failures on 7 distinct days; skipped at fan-out');
}

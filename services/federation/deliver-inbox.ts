// One signed POST of a prepared activity to one inbox, with everything that guards it: blocks,
// the domain's breaker and in-flight limit, the signature scheme the server takes (double-knocking
// on a 401), and the domain's health afterwards. Returns an outcome; the job decides what it means.
import type { Gateway, SigningKey } from '../gateway';
import type { DeliveryJob } from '../queue/jobs';
import { type DeliveryResult, deliverActivity } from '../remote/deliver';
import { httpUrl } from '../activitypub/as-read';
import { OTHER_DOMAINS, domainClass } from '../remote/domain-class';
import { DOMAIN_HEALTH, busyDelayMs, domainOfUrl } from '../remote/domain-health';
import { signerHasLeft } from './apply-account-leave';
import { onInboxGone } from './inbox-gone';

export type InboxOutcome =
  | { kind: 'delivered'; status?: number }
  | { kind: 'skipped'; reason: string }
  /** step aside for this long; not an attempt */
  | { kind: 'defer'; ms: number; reason: 'domain_busy' | 'create_first' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'final'; reason: string };

/** body: the activity's JSON as bytes, encoded once for every inbox it goes to */
export type PreparedActivity = { body: Buffer; key: SigningKey };
type JobCommon = Pick<DeliveryJob, 'activityId' | 'signer' | 'livePostId' | 'despiteBlock'>;

/** What every inbox of a job shares: the activity's body and the signer's key, or why nothing goes. */
export async function prepareActivity(g: Gateway, job: JobCommon): Promise<PreparedActivity | { skipped: string } | { unrecoverable: string }> {
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
  const body = await g.activities.body(job.activityId);
  if (!body) return { unrecoverable: `activity ${job.activityId} is no longer stored` };
  const key = await g.signingKey(job.signer);
  if (!key) return { unrecoverable: 'the signing account no longer exists' };
  return { body: Buffer.from(body), key };
}

export async function deliverToInbox(g: Gateway, job: JobCommon, activity: PreparedActivity, inbox: string): Promise<InboxOutcome> {
  // An account's deliveries never reach an actor it blocks (save the Block itself and its Undo).
  if (!job.despiteBlock && 'accountId' in job.signer && (await g.blocks.isInboxBlocked(job.signer.accountId, inbox))) {
    g.metrics.deliveries.inc({ outcome: 'blocked' });
    return { kind: 'skipped', reason: 'inbox of an actor the account blocks' };
  }
  // Parsed once: the block check, the breaker, the limiter and the POST all read it. Anything
  // but an http(s) URL is left to deliverActivity to refuse.
  const url = httpUrl(inbox);
  const domain = url ? domainOfUrl(url) : undefined;
  const labels = { domain_class: domain ? domainClass(g.config.deliveryDomainClasses, domain) : OTHER_DOMAINS };
  // --- moderation: nothing goes to a domain the operator blocks, even a job queued before the block ---
  if (url && (await g.domainBlocks.blockOfHost(url.host))) {
    g.metrics.deliveries.inc({ outcome: 'domain_blocked', ...labels });
    return { kind: 'skipped', reason: 'domain blocked' };
  }
  const origin = url?.origin;
  const first = origin ? await g.signatureSchemes.firstFor(origin) : undefined;
  // A dead or hanging server must not hold back the others: while its breaker is open its
  // deliveries fail fast (retried with backoff), and past its in-flight limit they wait a moment
  // for a slot, then yield.
  if (domain) {
    const openMs = await g.domainHealth.breakerRemainingMs(domain);
    if (openMs > 0) {
      g.metrics.deliveriesDeferred.inc({ reason: 'breaker_open' });
      return { kind: 'retry', reason: `circuit open for ${domain}`, retryAfterMs: openMs };
    }
    if (!(await g.domainLimiter.acquire(domain, DOMAIN_HEALTH.slotWaitMs))) {
      g.metrics.deliveriesDeferred.inc({ reason: 'domain_busy' });
      return { kind: 'defer', ms: busyDelayMs(), reason: 'domain_busy' };
    }
  }
  let result: DeliveryResult;
  const stop = g.metrics.deliverySeconds.startTimer(labels);
  try {
    result = await deliverActivity({ agent: g.agent, allowPrivateAddresses: g.config.allowPrivateAddresses, userAgent: g.userAgent }, url ?? inbox, activity.body, activity.key, first);
  } finally {
    stop();
    if (domain) g.domainLimiter.release(domain);
  }
  if (domain) await recordDomainHealth(g, domain, result);
  // Only a scheme that was accepted after the other got a 401 is worth remembering.
  if (origin && result.verdict.kind === 'delivered' && result.scheme && result.scheme !== first) {
    await g.signatureSchemes.remember(origin, result.scheme);
    g.logger.info({ origin, scheme: result.scheme }, 'delivery: server refused one signature scheme with 401 and took the other; remembered');
  }
  g.metrics.deliveries.inc({ outcome: result.verdict.kind, ...labels });
  switch (result.verdict.kind) {
    case 'delivered':
      return { kind: 'delivered', ...(result.status ? { status: result.status } : {}) };
    case 'gone': {
      const gone = await onInboxGone(g, 'accountId' in job.signer ? job.signer.accountId : undefined, inbox);
      g.logger.info({ inbox, gone }, 'delivery: inbox gone (410)');
      return { kind: 'final', reason: `inbox gone (410): ${gone.kind}` };
    }
    case 'final':
      return { kind: 'final', reason: result.verdict.reason };
    case 'retry':
      return { kind: 'retry', reason: result.verdict.reason, ...(result.verdict.retryAfterMs !== undefined ? { retryAfterMs: result.verdict.retryAfterMs } : {}) };
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

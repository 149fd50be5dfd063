// Expands one activity's audience into delivery jobs, page by page (memory stays flat as
// followers grow), several inboxes per job; shared inboxes collapse a server's followers into
// one POST.
import type { Gateway } from '../gateway';
import type { FanoutJob } from '../queue/jobs';
import { deliveryInbox } from '../store/followers';
import { enqueueDeliveryBatches } from './enqueue';
import { availableInboxes } from './available-inboxes';

export async function fanout(g: Gateway, job: FanoutJob, opts: { retry?: boolean } = {}): Promise<{ inboxes: number }> {
  let inboxes = 0;
  const send = async (page: string[]) => {
    let unique = await withoutBlockedDomains(g, [...new Set(page.filter(isDeliverable))]);
    // --- domain health: unavailable domains are skipped ---
    unique = await availableInboxes(g, unique);
    if (unique.length === 0) return;
    // Receipts first: a Delete arriving meanwhile then finds these Creates queued, and cancels
    // them. They also record every inbox reached, for the Updates and the Delete that follow.
    if (job.postStep?.step === 'create') await g.postReceipts.queueCreate(job.postStep.postId, unique);
    else if (job.recordOnPost) await g.postReceipts.recordReached(job.recordOnPost, unique);
    await enqueueDeliveryBatches(g, { activityId: job.activityId, signer: job.signer, ...(job.livePostId ? { livePostId: job.livePostId } : {}), ...(job.postStep ? { postStep: job.postStep } : {}) }, unique, opts.retry ?? false);
    inboxes += unique.length;
  };
  if (job.toFollowers !== false) {
    for await (const page of g.followers.pages(job.signer.accountId)) await send(page.map(deliveryInbox));
  }
  if (job.extraInboxes?.length) await send(job.extraInboxes);
  // Updates and deletes also reach every inbox that got the post, follower or not any more.
  if (job.audience === 'post' && job.postId) {
    for await (const page of g.postReceipts.inboxPages(job.postId)) await send(page);
  }
  // Every batch is queued: the plan that kept inboxes from repeating across pages is done.
  await g.fanoutPlans.drop(job.activityId);
  return { inboxes };
}

/** An inbox is an http(s) URL without whitespace (a batch's inboxes are stored one per line). */
const isDeliverable = (inbox: string) => /^https?:\/\/\S+$/.test(inbox);

// --- moderation: inboxes on domains the operator blocks get no delivery job ---
async function withoutBlockedDomains(g: Gateway, inboxes: string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const inbox of inboxes) if (!(await g.domainBlocks.blockOfUrl(inbox))) kept.push(inbox);
  if (kept.length < inboxes.length) g.metrics.deliveries.inc({ outcome: 'domain_blocked' }, inboxes.length - kept.length);
  return kept;
}

// Applies post.created/updated/deleted: post state in occurredAt order, then what its Note names
// is resolved (mentions, parent, quote) and the activity fanned out to the post's audience.
import { deleteActivity, noteActivity, noteAudience, noteObject } from '../activitypub/outbound';
import type { PostRefs } from '../activitypub/post-refs';
import type { Gateway } from '../gateway';
import type { Post } from '../platform/event-schemas';
import type { FanoutJob } from '../queue/jobs';
import type { PostAction, StoredPost } from '../store/posts';
import { indexAppliedPost, postEventOfLeftAccount } from './account-post-hooks';
import { enqueueFanout } from './enqueue';
import { requestQuoteConsent } from './quote-consent';
import { type ResolveOptions, resolvePostRefs } from './resolve-post';

import { AccountNotReadyError } from './event-account';

export type PostOutcome = 'applied' | 'stale' | 'account_disabled' | 'account_deleted' | 'no_change' | 'owner_mismatch';

export interface PostEvent {
  eventId: string;
  occurredAt: Date;
  accountId: string;
  postId: string;
  /** absent for a delete */
  post?: Post;
}

export async function applyPost(g: Gateway, e: PostEvent, opts: ResolveOptions = {}): Promise<PostOutcome> {
  const owner = await g.accounts.get(e.accountId);
  const left = await postEventOfLeftAccount(g, e, owner);
  if (left) return left;
  // Pending: an account.updated overtook its account.enabled; wait for it rather than drop.
  if (!owner || owner.state === 'pending') throw new AccountNotReadyError(`account ${e.accountId} is not enabled yet`);
  if (owner.state !== 'enabled') return 'account_disabled';
  // A post belongs to the account that created it; another account's events cannot touch it.
  const existing = await g.posts.get(e.postId);
  if (existing?.accountId && existing.accountId !== e.accountId) {
    g.logger.warn({ postId: e.postId, accountId: e.accountId, owner: existing.accountId }, "post event names another account than the post's owner");
    return 'owner_mismatch';
  }
  const result = await g.posts.apply(e.eventId, e.occurredAt, e.postId, e.accountId, e.post);
  if (result.status === 'stale') return 'stale';
  await indexAppliedPost(g, e, result.action);
  // A throw from here on (a reference's server down) leaves the decision pending: the retry replays it.
  if (result.action !== 'none') await federate(g, e, owner.account.username, result.action, opts);
  await g.posts.settle(e.postId, e.eventId);
  return result.action === 'none' ? 'no_change' : 'applied';
}

/** Every follower's server, unless only the mentioned may see the post. */
const followersToo = (post: Post) => post.visibility !== 'mentioned';

async function federate(g: Gateway, e: PostEvent, username: string, action: Exclude<PostAction, 'none'>, opts: ResolveOptions) {
  const u = g.uris;
  const stored = await g.posts.get(e.postId);
  const post = stored?.post;
  if (!stored || !post) return; // a delete of a post the gateway never had: nothing was sent, nothing to take back
  const signer = { accountId: e.accountId };
  const toFollowers = followersToo(post);
  if (action === 'delete') {
    // Addressed as the note was, to every inbox it reached.
    const activity = deleteActivity(e.postId, username, noteAudience(post, username, u, stored.refs), e.eventId, u);
    await g.activities.save(activity);
    return enqueueFanout(g, { activityId: activity.id, signer, audience: 'post', postId: e.postId, toFollowers, postStep: { postId: e.postId, step: 'delete' } });
  }
  const refs = await currentRefs(g, stored, post, opts);
  const updated = action === 'update' ? { ...post, updatedAt: post.updatedAt ?? e.occurredAt.toISOString() } : post;
  const note = noteObject(updated, username, u, refs);
  const activity = noteActivity(action === 'create' ? 'Create' : 'Update', note, e.eventId, u);
  await g.activities.save(activity);
  const job: FanoutJob = {
    activityId: activity.id,
    signer,
    audience: action === 'create' ? 'followers' : 'post',
    ...(action === 'update' ? { postId: e.postId } : {}),
    // Every inbox reached is recorded, so the Update or Delete that follows reaches it too.
    recordOnPost: e.postId,
    livePostId: e.postId,
    extraInboxes: refs.inboxes,
    toFollowers,
    postStep: { postId: e.postId, step: action },
  };
  await enqueueFanout(g, job);
  // The quote went out; its author's consent (FEP-044f) is asked for after it, once per quoted post.
  if (action === 'create' || stored.refs?.quote?.uri !== refs.quote?.uri) await requestQuoteConsent(g, e.eventId, e.accountId, e.postId, note, refs);
}

/** Resolves the stored version's references and keeps them with it (GET /posts/{id} renders them). */
async function currentRefs(g: Gateway, stored: StoredPost, post: Post, opts: ResolveOptions): Promise<PostRefs> {
  const refs = await resolvePostRefs(g, post, opts);
  await g.posts.saveRefs(post.id, stored.version, refs);
  // Read back: a quote authorization already granted applies to the new version too.
  return (await g.posts.get(post.id))?.refs ?? refs;
}

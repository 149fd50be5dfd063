// The two points where account leaving meets post events (called from applyPost): a post event
// of an account that left, and the per-account indexes kept in step with each applied post.
import type { Gateway } from '../gateway';
import type { Post } from '../platform/event-schemas';
import type { StoredAccount } from '../store/accounts';
import type { PostAction } from '../store/posts';

export interface PostEventRef {
  eventId: string;
  occurredAt: Date;
  accountId: string;
  postId: string;
  /** undefined for post.deleted */
  post?: Post;
}

/**
 * How a post event of an account that left is applied; undefined when the account did not leave.
 * A deleted account stores nothing again; a disabled one records deletions (so a re-enabled
 * account does not serve what the platform deleted meanwhile) and federates nothing.
 */
export async function postEventOfLeftAccount(g: Gateway, e: PostEventRef, owner: StoredAccount | undefined): Promise<'account_deleted' | 'account_disabled' | 'applied' | 'stale' | 'owner_mismatch' | undefined> {
  const state = owner?.state ?? (await g.accounts.stateOf(e.accountId));
  if (state === 'deleted') return 'account_deleted';
  if (state !== 'disabled') return undefined;
  if (e.post || !owner) return 'account_disabled';
  const existing = await g.posts.get(e.postId);
  if (existing?.accountId && existing.accountId !== e.accountId) return 'owner_mismatch';
  const result = await g.posts.apply(e.eventId, e.occurredAt, e.postId, e.accountId);
  if (result.status === 'stale') return 'stale';
  await indexAppliedPost(g, e, result.action);
  await g.posts.settle(e.postId, e.eventId);
  return 'applied';
}

/** After g.posts.apply: the account's post list (for erasure) and outbox follow the post. */
export async function indexAppliedPost(g: Gateway, e: Pick<PostEventRef, 'eventId' | 'accountId' | 'postId'>, action: PostAction): Promise<void> {
  const createId = action === 'create' ? g.uris.activity(e.eventId, 'Create') : undefined;
  await g.accountPosts.index(e.accountId, e.postId, await g.posts.get(e.postId), createId);
}

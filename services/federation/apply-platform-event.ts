// Applies one platform event: state in Redis (in occurredAt order), then the activity to send.
import { actorDocument } from '../activitypub/actor';
import { PUBLIC } from '../activitypub/contexts';
import { addressing, deleteActivity, noteActivity, noteObject } from '../activitypub/outbound';
import type { Gateway } from '../gateway';
import type { Account, PlatformEvent, Post } from '../platform/event-schemas';
import type { PostAction } from '../store/posts';
import { applyFollowCreated, applyFollowDeleted } from './apply-follow';
import { enqueueFanout } from './enqueue';

/** The account a post event names is not known yet (its account.enabled may still be queued). */
export class AccountNotReadyError extends Error {}

export type EventOutcome = 'applied' | 'stale' | 'duplicate' | 'account_disabled' | 'no_change' | 'owner_mismatch' | 'local_target';

export async function applyPlatformEvent(g: Gateway, event: PlatformEvent): Promise<EventOutcome> {
  if (await g.dedupe.isEventApplied(event.id)) return 'duplicate';
  const occurredAt = new Date(event.occurredAt);
  let outcome: EventOutcome;
  switch (event.type) {
    case 'account.enabled':
    case 'account.updated':
      outcome = await applyAccount(g, event.id, event.type === 'account.enabled', event.data.account, occurredAt);
      break;
    case 'post.created':
    case 'post.updated':
      outcome = await applyPost(g, event.id, occurredAt, event.data.post.accountId, event.data.post.id, event.data.post);
      break;
    case 'post.deleted':
      outcome = await applyPost(g, event.id, occurredAt, event.data.accountId, event.data.postId);
      break;
    case 'follow.created':
      outcome = await applyFollowCreated(g, event.id, occurredAt, event.data.follow);
      break;
    case 'follow.deleted':
      outcome = await applyFollowDeleted(g, event.id, event.data.follow);
      break;
  }
  await g.dedupe.markEventApplied(event.id);
  return outcome;
}

async function applyAccount(g: Gateway, eventId: string, enable: boolean, account: Account, occurredAt: Date): Promise<EventOutcome> {
  // Keys first: an actor is never published without its key.
  const pair = await g.accounts.ensureKeys(account.id);
  const saved = await g.accounts.save(account, occurredAt, enable);
  if (saved === 'stale') return 'stale';
  if (enable || saved === 'pending') return 'applied';
  const u = g.uris;
  const actor = actorDocument(account, pair.publicKeyPem, u);
  const { '@context': context, ...object } = actor;
  const update = { '@context': context, id: u.activity(eventId, 'Update'), type: 'Update', actor: actor.id, to: [PUBLIC], cc: [actor.followers], object };
  await g.activities.save(update);
  await enqueueFanout(g, { activityId: update.id, signer: { accountId: account.id }, audience: 'followers' });
  return 'applied';
}

async function applyPost(g: Gateway, eventId: string, occurredAt: Date, accountId: string, postId: string, post?: Post): Promise<EventOutcome> {
  const owner = await g.accounts.get(accountId);
  // Pending: an account.updated overtook its account.enabled; wait for it rather than drop.
  if (!owner || owner.state === 'pending') throw new AccountNotReadyError(`account ${accountId} is not enabled yet`);
  if (owner.state !== 'enabled') return 'account_disabled';
  // A post belongs to the account that created it; another account's events cannot touch it.
  const existing = await g.posts.get(postId);
  if (existing?.accountId && existing.accountId !== accountId) {
    g.logger.warn({ postId, accountId, owner: existing.accountId }, 'post event names another account than the post\'s owner');
    return 'owner_mismatch';
  }
  const result = await g.posts.apply(eventId, occurredAt, postId, accountId, post);
  if (result.status === 'stale') return 'stale';
  if (result.action !== 'none') await federate(g, eventId, occurredAt, owner.account.username, accountId, postId, result.action);
  await g.posts.settle(postId, eventId);
  return result.action === 'none' ? 'no_change' : 'applied';
}

async function federate(g: Gateway, eventId: string, occurredAt: Date, username: string, accountId: string, postId: string, action: Exclude<PostAction, 'none'>) {
  const u = g.uris;
  const stored = await g.posts.get(postId);
  const post = stored?.post;
  if (!post) return; // a delete of a post the gateway never had: nothing was sent, nothing to take back
  const signer = { accountId };
  if (action === 'delete') {
    const activity = deleteActivity(postId, username, addressing(post.visibility, u.followers(username), []), eventId, u);
    await g.activities.save(activity);
    return enqueueFanout(g, { activityId: activity.id, signer, audience: 'post', postId });
  }
  const updated = action === 'update' ? { ...post, updatedAt: post.updatedAt ?? occurredAt.toISOString() } : post;
  const activity = noteActivity(action === 'create' ? 'Create' : 'Update', noteObject(updated, username, u), eventId, u);
  await g.activities.save(activity);
  await enqueueFanout(
    g,
    action === 'create'
      ? { activityId: activity.id, signer, audience: 'followers', recordOnPost: postId, livePostId: postId }
      : { activityId: activity.id, signer, audience: 'post', postId, livePostId: postId },
  );
}

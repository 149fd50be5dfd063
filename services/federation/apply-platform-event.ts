// Applies one platform event: state in Redis (in occurredAt order), then the activity to send.
import { actorDocument } from '../activitypub/actor';
import { PUBLIC } from '../activitypub/contexts';
import type { Gateway } from '../gateway';
import type { Account, PlatformEvent } from '../platform/event-schemas';
import { applyAccountLeave } from './apply-account-leave';
import { type FollowOutcome, applyFollowCreated, applyFollowDeleted } from './apply-follow';
import { applyPost } from './apply-post';
import { enqueueFanout } from './enqueue';
import type { ResolveOptions } from './resolve-post';
import { type ReactionOutcome, applyReaction } from './apply-reaction';
import { type RelationshipOutcome, applyBlock, applyFollowerEvent } from './apply-relationship';
import { type ReportOutcome, applyReport } from './apply-report';
import { AccountNotReadyError } from './event-account';

export { AccountNotReadyError };

export type EventOutcome =
  | 'applied' | 'stale' | 'duplicate' | 'account_disabled' | 'no_change' | 'owner_mismatch'
  /** the account was deleted: nothing of it is stored again; its username stays reserved */
  | 'account_deleted' | 'username_reserved' | 'local_target'
  | ReactionOutcome | RelationshipOutcome | ReportOutcome | FollowOutcome;

export async function applyPlatformEvent(g: Gateway, event: PlatformEvent, opts: ResolveOptions = {}): Promise<EventOutcome> {
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
      outcome = await applyPost(g, { eventId: event.id, occurredAt, accountId: event.data.post.accountId, postId: event.data.post.id, post: event.data.post }, opts);
      break;
    case 'post.deleted':
      outcome = await applyPost(g, { eventId: event.id, occurredAt, accountId: event.data.accountId, postId: event.data.postId }, opts);
      break;
    // Account leaving
    case 'account.disabled':
    case 'account.deleted':
      outcome = await applyAccountLeave(g, event.id, occurredAt, event.data.accountId, event.type === 'account.disabled' ? 'disabled' : 'deleted');
      break;
    // reactions, relationships, moderation
    case 'like.created':
    case 'like.deleted':
    case 'repost.created':
    case 'repost.deleted':
      outcome = await applyReaction(g, event);
      break;
    case 'follow_request.approved':
    case 'follow_request.rejected':
    case 'follower.removed':
      outcome = await applyFollowerEvent(g, event);
      break;
    case 'block.created':
    case 'block.deleted':
      outcome = await applyBlock(g, event);
      break;
    case 'report.created':
      outcome = await applyReport(g, event);
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
  // A deleted account never comes back, and no other account takes its name (its actor URI).
  if ((await g.accounts.stateOf(account.id)) === 'deleted') return 'account_deleted';
  const holder = await g.accounts.stateByUsername(account.username);
  if (holder && holder.accountId !== account.id && holder.state === 'deleted') return 'username_reserved';
  // Keys first: an actor is never published without its key.
  const pair = await g.accounts.ensureKeys(account.id);
  const saved = await g.accounts.save(account, occurredAt, enable);
  if (saved === 'stale') return 'stale';
  if (saved === 'deleted') return 'account_deleted';
  if (saved === 'disabled') return 'account_disabled';
  if (enable || saved === 'pending') return 'applied';
  const u = g.uris;
  const actor = actorDocument(account, pair.publicKeyPem, u);
  const { '@context': context, ...object } = actor;
  const update = { '@context': context, id: u.activity(eventId, 'Update'), type: 'Update', actor: actor.id, to: [PUBLIC], cc: [actor.followers], object };
  await g.activities.save(update);
  await enqueueFanout(g, { activityId: update.id, signer: { accountId: account.id }, audience: 'followers' });
  return 'applied';
}

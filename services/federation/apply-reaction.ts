// like.created/deleted and repost.created/deleted: Like / Announce to the post's author (and,
// for reposts, to the account's followers), their Undo to the same inboxes.
import { announceActivity, likeActivity } from '../activitypub/interactions';
import type { Gateway } from '../gateway';
import type { PlatformEvent } from '../platform/event-schemas';
import type { InteractionKind, InteractionRecord } from '../store/interactions';
import { type EventAccount, accountForEvent } from './event-account';
import { type ResolvedObject, resolveObjectRef } from './resolve-object';
import { sendInteraction } from './send-interaction';

type ReactionEvent = Extract<PlatformEvent, { type: 'like.created' | 'like.deleted' | 'repost.created' | 'repost.deleted' }>;

export type ReactionOutcome =
  | 'applied'
  | 'stale'
  | 'no_change'
  | 'account_disabled'
  /** a like of a platform post by a platform account: nothing leaves the gateway */
  | 'local_only'
  | 'target_not_found'
  | 'target_invalid'
  /** followers-only or direct posts cannot be reposted */
  | 'not_public';

type Active = Extract<EventAccount, { ok: true }>;

export async function applyReaction(g: Gateway, event: ReactionEvent): Promise<ReactionOutcome> {
  const isLike = event.type === 'like.created' || event.type === 'like.deleted';
  const kind: InteractionKind = isLike ? 'like' : 'repost';
  const item = 'like' in event.data ? event.data.like : event.data.repost;
  const occurredAt = new Date(event.occurredAt);
  const account = await accountForEvent(g, item.accountId);
  if (!account.ok) return account.outcome;

  if (event.type === 'like.deleted' || event.type === 'repost.deleted') {
    const applied = await g.interactions.deleted(kind, item.id, account.accountId, event.id, occurredAt);
    if (applied.status === 'stale') return 'stale';
    if (applied.action !== 'undo' || !applied.record) return 'no_change';
    await sendInteraction(g, account.accountId, applied.record, true);
    return 'applied';
  }

  // A later event about this like already applied: no need to fetch anything.
  if (await g.interactions.isStale(kind, item.id, occurredAt)) return 'stale';
  const target = await resolveObjectRef(g, item.of);
  if (!target.ok) {
    g.logger.info({ event: event.id, reason: target.reason, detail: target.detail }, `${event.type}: nothing sent`);
    return target.reason;
  }
  const record = isLike ? likeRecord(g, account, item.id, target.object) : await repostRecord(g, account, item.id, target.object, occurredAt);
  if (typeof record === 'string') return record;
  const applied = await g.interactions.created(kind, item.id, account.accountId, event.id, occurredAt, record);
  if (applied.status === 'stale') return 'stale';
  if (applied.action !== 'create' || !applied.record) return 'no_change';
  await sendInteraction(g, account.accountId, applied.record, false);
  return 'applied';
}

function likeRecord(g: Gateway, account: Active, likeId: string, target: ResolvedObject): InteractionRecord | ReactionOutcome {
  // The author of a platform post is a platform account: the platform shows the like itself.
  if (target.kind === 'local') return 'local_only';
  const author = target.author;
  return { activity: likeActivity(g.uris.like(account.username, likeId), account.actor, target.uri, author.uri), inboxes: [author.inbox], fanout: false };
}

async function repostRecord(g: Gateway, account: Active, repostId: string, target: ResolvedObject, occurredAt: Date): Promise<InteractionRecord | ReactionOutcome> {
  const id = g.uris.repost(account.username, repostId);
  const followers = g.uris.followers(account.username);
  const published = occurredAt.toISOString();
  if (target.kind === 'local') {
    if (target.visibility !== 'public' && target.visibility !== 'unlisted') return 'not_public';
    const owner = await g.accounts.get(target.accountId);
    if (!owner) return 'target_not_found';
    const author = g.uris.actor(owner.account.username);
    return { activity: announceActivity(id, account.actor, followers, target.uri, author, published), inboxes: [], fanout: true };
  }
  if (!target.isPublic) return 'not_public';
  const author = target.author;
  return { activity: announceActivity(id, account.actor, followers, target.uri, author.uri, published), inboxes: [author.sharedInbox ?? author.inbox], fanout: true };
}

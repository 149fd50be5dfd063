// follow.created / follow.deleted: a local account follows (or stops following) a remote actor.
// The Follow stays pending in the following store until the remote side's Accept or Reject.
import { callbackEnvelope, remoteActorOf } from '../activitypub/callbacks';
import { followActivity, undoFollowActivity } from '../activitypub/outbound-follow';
import type { Gateway } from '../gateway';
import type { ActorRef, Follow } from '../platform/event-schemas';
import { AccountNotReadyError } from './apply-platform-event';
import { enqueueCallback, enqueueDeliveries } from './enqueue';
import { type RemoteActorRecord, resolveActorRef } from './resolve-actor';

export type FollowOutcome =
  | 'applied' | 'stale' | 'no_change' | 'account_disabled' | 'local_target'
  /** the account blocks the actor it would follow: nothing is sent, follow.rejected says why */
  | 'blocked_target';

/** The target's server failed: the event job is retried. */
export class FollowTargetUnavailableError extends Error {}

// Events run concurrently: a follow.deleted may be applied before, or while, its follow.created.
// Its follow id is remembered this long (platform follow ids are never reused), so the
// follow.created sends nothing. deleted writes the mark then reads the follow; created writes the
// follow then reads the mark: whichever runs second sees the other.
const DELETED_FOLLOW_TTL_SECONDS = 7 * 24 * 3600;

/** What the platform's ActorRef tells of an actor that could not be resolved. */
function unresolvedTarget(ref: ActorRef) {
  if ('uri' in ref) return { uri: ref.uri };
  if ('handle' in ref) return { handle: ref.handle.startsWith('@') ? ref.handle : `@${ref.handle}` };
  return { accountId: ref.accountId };
}

async function enabledUsername(g: Gateway, accountId: string): Promise<string | undefined> {
  const owner = await g.accounts.get(accountId);
  // Pending: an account.updated overtook its account.enabled; wait for it rather than drop.
  if (!owner || owner.state === 'pending') throw new AccountNotReadyError(`account ${accountId} is not enabled yet`);
  return owner.state === 'enabled' ? owner.account.username : undefined;
}

export async function applyFollowCreated(g: Gateway, eventId: string, occurredAt: Date, follow: Follow): Promise<FollowOutcome> {
  const username = await enabledUsername(g, follow.accountId);
  if (!username) return 'account_disabled';
  if (await g.redis.exists(g.keys.deletedFollow(follow.id))) return 'stale';
  const resolved = await resolveActorRef(g, follow.target);
  if (!resolved.ok) {
    if (resolved.reason === 'unavailable') throw new FollowTargetUnavailableError(resolved.detail);
    // No such actor: the platform hears so at once rather than waiting for an answer that never comes.
    const data = { followId: follow.id, accountId: follow.accountId, target: unresolvedTarget(follow.target), reason: resolved.reason, detail: resolved.detail };
    await enqueueCallback(g, callbackEnvelope('fediverse.follow.rejected', eventId, data, occurredAt));
    return 'applied';
  }
  // Intake refuses local targets; one that resolves local anyway (a URI alias) is not federated.
  if (resolved.actor.kind === 'local') return 'local_target';
  const target = resolved.actor;
  const localActor = g.uris.actor(username);
  const activity = followActivity(g.uris.activity(eventId, 'Follow'), localActor, target.uri);
  await g.activities.save(activity);
  // Recorded before it is sent, so an Accept that comes back at once finds it.
  await g.following.request(follow.accountId, {
    target: target.uri,
    followId: follow.id,
    activityId: activity.id,
    inbox: target.inbox,
    ...(target.sharedInbox ? { sharedInbox: target.sharedInbox } : {}),
    since: occurredAt.toISOString(),
  });
  if (await g.redis.exists(g.keys.deletedFollow(follow.id))) {
    await g.following.remove(follow.accountId, target.uri);
    return 'stale';
  }
  // The account blocks the target: a block.created newer than this follow applied before it, or
  // meanwhile (it adds the block, then ends the follow; this wrote the follow, then reads the
  // block: whichever runs second sees the other).
  if (await g.blocks.has(follow.accountId, target.uri)) {
    await g.following.remove(follow.accountId, target.uri);
    return refuseBlocked(g, eventId, occurredAt, follow, target);
  }
  await enqueueDeliveries(g, activity.id, { accountId: follow.accountId }, [target.inbox]);
  return 'applied';
}

/**
 * The account blocks the target (a block newer than the follow, applied first): no Follow goes
 * out, and the platform hears the follow will not happen rather than waiting for an answer.
 */
async function refuseBlocked(g: Gateway, eventId: string, occurredAt: Date, follow: Follow, target: RemoteActorRecord): Promise<FollowOutcome> {
  const data = { followId: follow.id, accountId: follow.accountId, target: remoteActorOf(target.doc), reason: 'blocked_target', detail: `${follow.accountId} blocks ${target.uri}` };
  await enqueueCallback(g, callbackEnvelope('fediverse.follow.rejected', eventId, data, occurredAt));
  return 'blocked_target';
}

export async function applyFollowDeleted(g: Gateway, eventId: string, follow: Follow): Promise<FollowOutcome> {
  const username = await enabledUsername(g, follow.accountId);
  if (!username) return 'account_disabled';
  await g.redis.set(g.keys.deletedFollow(follow.id), '1', 'EX', DELETED_FOLLOW_TTL_SECONDS);
  const known = await g.following.byFollowId(follow.id);
  const record = known && known.accountId === follow.accountId ? await g.following.get(known.accountId, known.target) : undefined;
  // The platform's follow id names the follow: a target followed under another id stays followed.
  if (!record || record.followId !== follow.id) return 'no_change';
  const localActor = g.uris.actor(username);
  const undo = undoFollowActivity(g.uris.activity(eventId, 'Undo'), followActivity(record.activityId, localActor, record.target));
  await g.activities.save(undo);
  await enqueueDeliveries(g, undo.id, { accountId: follow.accountId }, [record.inbox]);
  await g.following.remove(follow.accountId, record.target);
  return 'applied';
}

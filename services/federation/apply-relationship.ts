// follow_request.approved/rejected, follower.removed, block.created/deleted: Accept or Reject of
// the remembered Follow; Block / Undo(Block), the block ending the relationship both ways.
import { blockActivity, rejectFollow } from '../activitypub/interactions';
import { acceptFollow } from '../activitypub/outbound';
import type { Gateway } from '../gateway';
import type { ActorRef, PlatformEvent } from '../platform/event-schemas';
import { jobIdOf } from '../queue/jobs';
import { accountForEvent } from './event-account';
import { enqueueDeliveries } from './enqueue';
import { resolveActorRef, resolveHandle } from './resolve-actor';
import { RemoteObjectUnavailableError } from './resolve-object';
import { sendInteraction } from './send-interaction';

type FollowerEvent = Extract<PlatformEvent, { type: 'follow_request.approved' | 'follow_request.rejected' | 'follower.removed' }>;
type BlockEvent = Extract<PlatformEvent, { type: 'block.created' | 'block.deleted' }>;

export type RelationshipOutcome =
  | 'applied'
  | 'stale'
  | 'no_change'
  | 'account_disabled'
  | 'no_such_request'
  | 'not_a_follower'
  /** the actor named is a platform account: the platform handles that relationship itself */
  | 'local_target'
  | 'target_not_found';

/** The URI of a remote actor an ActorRef names (a {uri} is taken as is: it is a follower's id). */
async function remoteActorUri(g: Gateway, ref: ActorRef): Promise<{ ok: true; uri: string } | { ok: false; outcome: RelationshipOutcome }> {
  if ('uri' in ref) return ref.uri.startsWith(`${g.uris.origin}/`) ? { ok: false, outcome: 'local_target' } : { ok: true, uri: ref.uri };
  if ('accountId' in ref) return { ok: false, outcome: 'local_target' };
  const found = await resolveHandle(g, ref.handle);
  if (!found.ok) {
    if (found.reason === 'unavailable') throw new RemoteObjectUnavailableError(found.detail);
    return { ok: false, outcome: 'target_not_found' };
  }
  return found.actor.kind === 'remote' ? { ok: true, uri: found.actor.uri } : { ok: false, outcome: 'local_target' };
}

export async function applyFollowerEvent(g: Gateway, event: FollowerEvent): Promise<RelationshipOutcome> {
  const account = await accountForEvent(g, event.data.accountId);
  if (!account.ok) return account.outcome;
  const follower = await remoteActorUri(g, event.data.follower);
  if (!follower.ok) return follower.outcome;
  const { accountId, actor: localActor } = account;
  const approve = event.type === 'follow_request.approved';
  // A retried approval finds the request already turned into a follower: it sends the Accept again.
  const record =
    event.type === 'follower.removed'
      ? await g.followers.get(accountId, follower.uri)
      : ((await g.followers.getRequest(accountId, follower.uri)) ?? (approve ? await g.followers.get(accountId, follower.uri) : undefined));
  if (!record) return event.type === 'follower.removed' ? 'not_a_follower' : 'no_such_request';
  const follow = { id: record.followId, actor: record.actor, object: localActor };
  if (approve) {
    await g.followers.add(accountId, record);
    const accept = acceptFollow(localActor, follow, `${localActor}#accepts/follows/${jobIdOf(record.followId)}`);
    await g.activities.save(accept);
    await enqueueDeliveries(g, accept.id, { accountId }, [record.inbox]);
    return 'applied';
  }
  // Reject first, removal second: a retry after a crash in between still finds the record.
  const reject = rejectFollow(localActor, follow, `${localActor}#rejects/follows/${jobIdOf(record.followId)}`);
  await g.activities.save(reject);
  await enqueueDeliveries(g, reject.id, { accountId }, [record.inbox]);
  await g.followers.remove(accountId, follower.uri);
  return 'applied';
}

export async function applyBlock(g: Gateway, event: BlockEvent): Promise<RelationshipOutcome> {
  const block = event.data.block;
  const occurredAt = new Date(event.occurredAt);
  const account = await accountForEvent(g, block.accountId);
  if (!account.ok) return account.outcome;
  const { accountId } = account;

  if (event.type === 'block.deleted') {
    const applied = await g.interactions.deleted('block', block.id, accountId, event.id, occurredAt);
    if (applied.status === 'stale') return 'stale';
    if (applied.action !== 'undo' || !applied.record) return 'no_change';
    await g.blocks.remove(accountId, applied.record.activity.object);
    await sendInteraction(g, accountId, applied.record, true);
    return 'applied';
  }

  if (await g.interactions.isStale('block', block.id, occurredAt)) return 'stale';
  const target = await blockTarget(g, accountId, block.target);
  if (!target.ok) return target.outcome;
  const record = { activity: blockActivity(g.uris.block(account.username, block.id), account.actor, target.uri), inboxes: [target.inbox], fanout: false };
  const applied = await g.interactions.created('block', block.id, accountId, event.id, occurredAt, record);
  if (applied.status === 'stale') return 'stale';
  if (applied.action !== 'create' || !applied.record) return 'no_change';
  // Stop deliveries and acceptance first, then end the relationship both ways, then tell them.
  const blocked = applied.record.activity.object;
  await g.blocks.add(accountId, { actor: blocked, inbox: applied.record.inboxes[0]!, blockId: block.id, since: occurredAt.toISOString() });
  await g.followers.remove(accountId, blocked);
  await g.following.remove(accountId, blocked);
  await sendInteraction(g, accountId, applied.record, false);
  return 'applied';
}

/**
 * The actor a block names and its inbox. A block is a safety measure: when the actor's server
 * is down, the inbox the gateway already knows (it follows or is followed) is enough to apply it
 * now; the Block itself is then retried by its delivery job.
 */
async function blockTarget(g: Gateway, accountId: string, ref: ActorRef): Promise<{ ok: true; uri: string; inbox: string } | { ok: false; outcome: RelationshipOutcome }> {
  const target = await resolveActorRef(g, ref);
  if (target.ok) return target.actor.kind === 'remote' ? { ok: true, uri: target.actor.uri, inbox: target.actor.inbox } : { ok: false, outcome: 'local_target' };
  const uri = 'uri' in ref ? ref.uri : undefined;
  if (target.reason === 'unavailable' && uri) {
    const known = (await g.followers.get(accountId, uri)) ?? (await g.followers.getRequest(accountId, uri)) ?? (await g.following.get(accountId, uri));
    if (known) return { ok: true, uri, inbox: known.inbox };
  }
  if (target.reason === 'unavailable') throw new RemoteObjectUnavailableError(target.detail);
  return { ok: false, outcome: 'target_not_found' };
}

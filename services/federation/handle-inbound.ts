// Carries out a verified inbound activity: state in Redis, an Accept to send, a callback to make.
import { isObject, str } from '../activitypub/as-read';
import { callbackEnvelope } from '../activitypub/callbacks';
import { type InboundCommand, translateInbound } from '../activitypub/inbound';
import { normalizeActivity } from '../activitypub/jsonld/normalize';
import { acceptFollow } from '../activitypub/outbound';
import type { Gateway } from '../gateway';
import type { InboxJob } from '../queue/jobs';
import { jobIdOf } from '../queue/jobs';
import { enqueueCallback, enqueueDeliveries } from './enqueue';
import { onQuoteAnswer } from './quote-consent';
import { blockingAccount } from './inbound-blocks';
import { handleInteraction, undoInteractionByRef } from './handle-interactions';
import { onFollowAnswer } from './inbound-follow-answer';
import { onDeleteNote, onNote } from './inbound-notes';
import { enabledPostOwner } from './live-post-owner';
import { markUndoneAndRead, rememberUndone, storeUnlessUndone, wasUndone } from './undone-marker';
import { remoteActor, remoteActorOrBare } from './remote-actors';

export { RemoteUnavailableError } from './remote-actors';

export type InboundOutcome = { outcome: 'applied'; kind: InboundCommand['kind'] } | { outcome: 'ignored'; reason: string };

const ignored = (reason: string): InboundOutcome => ({ outcome: 'ignored', reason });

export async function handleInbound(g: Gateway, job: InboxJob): Promise<InboundOutcome> {
  // --- moderation: an activity queued before its domain was blocked is not applied ---
  if (await g.domainBlocks.blockOfUrl(job.signer)) return ignored('domain_blocked');
  // Read in the standard compact form whatever JSON-LD spelling the sender chose.
  const normalized = await normalizeActivity(job.activity);
  if (!normalized.ok) return ignored(normalized.reason);
  const translated = translateInbound(normalized.doc, job.signer, g.uris);
  if (!translated.ok) return ignored(translated.reason);
  const cmd = translated.command;
  // An unverified self-Delete (its key is gone with it) may only be that.
  if (job.unverifiedGoneActor && cmd.kind !== 'actor-delete') return ignored('unverified_signature');
  if (await blockingAccount(g, cmd)) return ignored('blocked_actor');
  switch (cmd.kind) {
    case 'follow':
      return onFollow(g, cmd, job.receivedAt);
    case 'undo-follow':
      return onUndoFollow(g, cmd.actor, cmd.username, job.receivedAt, cmd.followId);
    case 'undo-ref':
      return onUndoRef(g, cmd.actor, cmd.undoneId, job.receivedAt);
    case 'undo-like':
      return onUndoLike(g, cmd.actor, cmd.likeId, job.receivedAt);
    case 'like':
      return onLike(g, cmd, job.receivedAt);
    case 'quote-answer':
      return onQuoteAnswer(g, cmd, job.receivedAt);
    // reactions, relationships, moderation
    case 'repost':
    case 'announce':
    case 'undo-announce':
    case 'block':
    case 'undo-block':
    case 'report':
    case 'move':
    case 'actor-update':
    case 'actor-delete':
      return handleInteraction(g, cmd, job);
    // notes (inbound-notes.ts) and answers to our Follows (inbound-follow-answer.ts)
    case 'note':
      return onNote(g, cmd, job.activityId, job.receivedAt);
    case 'delete-note':
      return onDeleteNote(g, cmd, job.receivedAt);
    case 'follow-answer':
      return onFollowAnswer(g, cmd, job.receivedAt);
  }
}

async function onFollow(g: Gateway, cmd: Extract<InboundCommand, { kind: 'follow' }>, receivedAt: string): Promise<InboundOutcome> {
  const local = await g.accounts.getByUsername(cmd.username);
  if (!local || local.state !== 'enabled') return ignored('unknown_local_actor');
  if (await wasUndone(g, cmd.activityId, cmd.actor)) return ignored('follow_already_undone');
  const { doc, actor } = await remoteActor(g, cmd.actor);
  const inbox = str(doc.inbox);
  if (!inbox) return ignored('actor_without_inbox');
  const sharedInbox = isObject(doc.endpoints) ? str(doc.endpoints.sharedInbox) : undefined;
  const record = { actor: cmd.actor, inbox, ...(sharedInbox ? { sharedInbox } : {}), followId: cmd.activityId, since: receivedAt };
  const accountId = local.account.id;
  const when = new Date(receivedAt);
  // An Undo processed meanwhile (during the actor fetch) wins: nothing stored, nothing called back.
  if (local.account.manuallyApprovesFollowers && !(await g.followers.get(accountId, cmd.actor))) {
    if ((await g.followers.addUnlessUndone(accountId, record, 'request')) === 'undone') return ignored('follow_already_undone');
    await enqueueCallback(g, callbackEnvelope('fediverse.follow_request.received', cmd.activityId, { accountId, follower: actor }, when));
    return { outcome: 'applied', kind: 'follow' };
  }
  if ((await g.followers.addUnlessUndone(accountId, record, 'follower')) === 'undone') return ignored('follow_already_undone');
  // Accept even a repeated Follow: the remote side may have missed our first Accept.
  const localActor = g.uris.actor(local.account.username);
  const accept = acceptFollow(localActor, { id: cmd.activityId, actor: cmd.actor, object: localActor }, `${localActor}#accepts/follows/${jobIdOf(cmd.activityId)}`);
  await g.activities.save(accept);
  await enqueueDeliveries(g, accept.id, { accountId }, [inbox]);
  await enqueueCallback(g, callbackEnvelope('fediverse.follower.added', cmd.activityId, { accountId, follower: actor }, when));
  return { outcome: 'applied', kind: 'follow' };
}

async function onUndoFollow(g: Gateway, actorUri: string, username: string | undefined, receivedAt: string, followId?: string): Promise<InboundOutcome> {
  const accountId = username ? await g.accounts.idByUsername(username) : undefined;
  if (!accountId) return ignored('unknown_local_actor');
  // Marked before looking: a Follow still in progress then either stored already (found below)
  // or finds the mark and stores nothing (followers.addUnlessUndone).
  if (followId) await rememberUndone(g, followId, actorUri);
  const previous = (await g.followers.get(accountId, actorUri)) ?? (await g.followers.getRequest(accountId, actorUri));
  // Perhaps the Follow is not processed yet (inbox jobs run concurrently): it is not to be applied.
  if (!previous) return ignored('not_following');
  // Callback first, removal second: a retry after a crash in between finds the follower again
  // and the callback's stable id keeps it from being sent twice.
  const follower = await remoteActorOrBare(g, actorUri);
  await enqueueCallback(g, callbackEnvelope('fediverse.follower.removed', `${previous.followId}#undo`, { accountId, follower }, new Date(receivedAt)));
  await g.followers.remove(accountId, actorUri);
  return { outcome: 'applied', kind: 'undo-follow' };
}

async function onUndoRef(g: Gateway, actorUri: string, undoneId: string, receivedAt: string): Promise<InboundOutcome> {
  // Marked before looking anything up: a Follow (or Like, Announce) still in progress either
  // stored already, and is found below, or finds the mark and stores nothing.
  await rememberUndone(g, undoneId, actorUri);
  const follow = await g.followers.byFollowId(undoneId);
  if (follow && follow.actor === actorUri) {
    const account = await g.accounts.get(follow.accountId);
    return onUndoFollow(g, actorUri, account?.account.username, receivedAt, undoneId);
  }
  const interaction = await undoInteractionByRef(g, actorUri, undoneId, receivedAt);
  if (interaction) return interaction;
  return onUndoLike(g, actorUri, undoneId, receivedAt);
}

async function onLike(g: Gateway, cmd: Extract<InboundCommand, { kind: 'like' }>, receivedAt: string): Promise<InboundOutcome> {
  const accountId = await enabledPostOwner(g, cmd.postId);
  if (!accountId) return ignored('unknown_local_post');
  if (await wasUndone(g, cmd.activityId, cmd.actor)) return ignored('like_already_undone');
  const { actor } = await remoteActor(g, cmd.actor);
  const reaction = cmd.reaction ? { reaction: cmd.reaction } : {};
  await g.interactions.indexInbound(accountId, 'like', cmd.activityId);
  const record = JSON.stringify({ postId: cmd.postId, actor: cmd.actor, ...reaction });
  // An Undo processed meanwhile (during the actor fetch) wins: no like.created then.
  if (!(await storeUnlessUndone(g, g.keys.remoteLike(cmd.activityId), cmd.activityId, cmd.actor, record, 400 * 24 * 3600))) return ignored('like_already_undone');
  await enqueueCallback(g, callbackEnvelope('fediverse.like.created', cmd.activityId, { postId: cmd.postId, accountId, actor, activityId: cmd.activityId, ...reaction }, new Date(receivedAt)));
  return { outcome: 'applied', kind: 'like' };
}

async function onUndoLike(g: Gateway, actorUri: string, likeId: string | undefined, receivedAt: string): Promise<InboundOutcome> {
  if (!likeId) return ignored('unknown_undo_target');
  // Perhaps not processed yet (or an Announce undone by reference): marked, it is not to be applied.
  const stored = await markUndoneAndRead(g, g.keys.remoteLike(likeId), likeId, actorUri);
  if (!stored) return ignored('unknown_undo_target');
  const like = JSON.parse(stored) as { postId: string; actor: string; reaction?: unknown };
  if (like.actor !== actorUri) return ignored('actor_mismatch');
  const actor = await remoteActorOrBare(g, actorUri);
  const reaction = like.reaction ? { reaction: like.reaction } : {};
  await enqueueCallback(g, callbackEnvelope('fediverse.like.deleted', likeId, { postId: like.postId, actor, activityId: likeId, ...reaction }, new Date(receivedAt)));
  await g.redis.del(g.keys.remoteLike(likeId));
  return { outcome: 'applied', kind: 'undo-like' };
}

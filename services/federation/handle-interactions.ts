// Inbound reposts (Announce), blocks and reports: state in Redis, then a platform callback.
import { type JsonObject, asArray, firstId, idOf, isObject, sameOrigin, typeOf } from '../activitypub/as-read';
import { type RemoteActor, callbackEnvelope, remotePostOf } from '../activitypub/callbacks';
import type { InteractionCommand } from '../activitypub/inbound-interactions';
import { localUsernameOf } from '../activitypub/uris';
import type { Gateway } from '../gateway';
import type { InboxJob } from '../queue/jobs';
import { handleActorLifecycle } from './handle-actor-lifecycle';
import type { InboundOutcome } from './handle-inbound';
import { RemoteUnavailableError, remoteActor, remoteActorOrBare } from './remote-actors';
import { enqueueCallback } from './enqueue';
import { isPublicObject } from './resolve-object';
import { enabledLivePost, isShareable } from './live-post-owner';
import { markUndoneAndRead, storeUnlessUndone, wasUndone } from './undone-marker';

const ignored = (reason: string): InboundOutcome => ({ outcome: 'ignored', reason });
const applied = (kind: InteractionCommand['kind']): InboundOutcome => ({ outcome: 'applied', kind });

const NOTE_TYPES = ['Note', 'Article', 'Page', 'Question', 'Video', 'Audio', 'Image', 'Event'];
// As long as likes: an Undo may come months later.
const ANNOUNCE_TTL_SECONDS = 400 * 24 * 3600;

/** What a remote Announce was, so its Undo (embedded or by id) can be told to the platform. */
interface AnnounceRecord {
  actor: string;
  postId?: string;
  accountId?: string;
  post?: ReturnType<typeof remotePostOf>;
  accountIds?: string[];
}

export async function handleInteraction(g: Gateway, cmd: InteractionCommand, job: InboxJob): Promise<InboundOutcome> {
  const when = new Date(job.receivedAt);
  switch (cmd.kind) {
    case 'repost':
      return onRepost(g, cmd, when);
    case 'announce':
      return onAnnounce(g, cmd, when);
    case 'undo-announce':
      return onUndoAnnounce(g, cmd.actor, cmd.announceId, when);
    case 'block':
      return onBlockReceived(g, cmd, when);
    case 'undo-block':
      // The block ended follows both ways; they are not restored (as on Mastodon) and the
      // contract has no callback for it: nothing changes here.
      return ignored('nothing_to_restore');
    case 'report':
      return onReport(g, cmd, when);
    case 'move':
    case 'actor-update':
    case 'actor-delete':
      return handleActorLifecycle(g, cmd, job);
  }
}

/** An Undo naming only an Announce's id; undefined when the id is no Announce we saw. */
export async function undoInteractionByRef(g: Gateway, actorUri: string, undoneId: string, receivedAt: string): Promise<InboundOutcome | undefined> {
  // Marks the id undone even when no Announce is stored: one in progress then stores nothing.
  const stored = await markUndoneAndRead(g, g.keys.remoteAnnounce(undoneId), undoneId, actorUri);
  if (!stored) return undefined;
  return undoAnnounceRecord(g, actorUri, undoneId, stored, new Date(receivedAt));
}

async function onRepost(g: Gateway, cmd: Extract<InteractionCommand, { kind: 'repost' }>, when: Date): Promise<InboundOutcome> {
  const post = await enabledLivePost(g, cmd.postId);
  if (!post) return ignored('unknown_local_post');
  if (!isShareable(post)) return ignored('not_public');
  if (await wasUndone(g, cmd.activityId, cmd.actor)) return ignored('announce_already_undone');
  const { actor } = await remoteActor(g, cmd.actor);
  const record: AnnounceRecord = { actor: cmd.actor, postId: cmd.postId, accountId: post.accountId };
  await g.interactions.indexInbound(post.accountId, 'announce', cmd.activityId);
  // An Undo processed meanwhile (during the actor fetch) wins: no repost.created then.
  if (!(await storeUnlessUndone(g, g.keys.remoteAnnounce(cmd.activityId), cmd.activityId, cmd.actor, JSON.stringify(record), ANNOUNCE_TTL_SECONDS))) return ignored('announce_already_undone');
  await enqueueCallback(g, callbackEnvelope('fediverse.repost.created', cmd.activityId, { postId: cmd.postId, accountId: post.accountId, actor, activityId: cmd.activityId }, when));
  return applied('repost');
}

/** Local accounts a note mentions, by username, so the callback can name them by platform id. */
async function localMentionIds(g: Gateway, note: JsonObject): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const tag of asArray(note.tag)) {
    const username = isObject(tag) && typeof tag.href === 'string' ? localUsernameOf(g.uris, tag.href) : undefined;
    const id = username ? await g.accounts.idByUsername(username) : undefined;
    if (username && id) found.set(username.toLowerCase(), id);
  }
  return found;
}

async function onAnnounce(g: Gateway, cmd: Extract<InteractionCommand, { kind: 'announce' }>, when: Date): Promise<InboundOutcome> {
  const followers = await g.following.localFollowersOf(cmd.actor);
  if (followers.length === 0) return ignored('not_followed');
  if (await wasUndone(g, cmd.activityId, cmd.actor)) return ignored('announce_already_undone');
  // Never the embedded copy: the announcer is not the author and could put words in its mouth.
  const res = await g.fetchDocument(cmd.objectUri);
  if (!res.ok) {
    if (res.reason === 'network' || (res.reason === 'http_error' && (res.status ?? 500) >= 500)) throw new RemoteUnavailableError(`${cmd.objectUri}: ${res.reason}`);
    return ignored('announced_object_unavailable');
  }
  const note = res.doc;
  const noteId = idOf(note);
  if (!noteId || !sameOrigin(noteId, cmd.objectUri)) return ignored('object_origin_mismatch');
  if (!NOTE_TYPES.includes(typeOf(note) ?? '')) return ignored('unsupported_object_type');
  const authorUri = firstId(note.attributedTo);
  if (!authorUri || !sameOrigin(authorUri, noteId)) return ignored('attribution_mismatch');
  if (!isPublicObject(note)) return ignored('not_public');
  // Accounts that block the post's author do not get it through someone else's repost.
  const accountIds: string[] = [];
  for (const id of followers) if (!(await g.blocks.has(id, authorUri))) accountIds.push(id);
  if (accountIds.length === 0) return ignored('blocked_actor');
  const [{ actor: author }, { actor: announcer }] = await Promise.all([remoteActor(g, authorUri), remoteActor(g, cmd.actor)]);
  const post = remotePostOf(note, author, g.uris, await localMentionIds(g, note));
  const record: AnnounceRecord = { actor: cmd.actor, post, accountIds };
  if (!(await storeUnlessUndone(g, g.keys.remoteAnnounce(cmd.activityId), cmd.activityId, cmd.actor, JSON.stringify(record), ANNOUNCE_TTL_SECONDS))) return ignored('announce_already_undone');
  await enqueueCallback(g, callbackEnvelope('fediverse.post.created', cmd.activityId, { post, accountIds, repost: { activityId: cmd.activityId, actor: announcer } }, when));
  return applied('announce');
}

async function onUndoAnnounce(g: Gateway, actorUri: string, announceId: string, when: Date): Promise<InboundOutcome> {
  const stored = await markUndoneAndRead(g, g.keys.remoteAnnounce(announceId), announceId, actorUri);
  if (!stored) return ignored('unknown_undo_target');
  return undoAnnounceRecord(g, actorUri, announceId, stored, when);
}

async function undoAnnounceRecord(g: Gateway, actorUri: string, announceId: string, stored: string, when: Date): Promise<InboundOutcome> {
  const record = JSON.parse(stored) as AnnounceRecord;
  if (record.actor !== actorUri) return ignored('actor_mismatch');
  const actor: RemoteActor = await remoteActorOrBare(g, actorUri);
  const causeId = `${announceId}#undo`;
  const envelope = record.postId
    ? callbackEnvelope('fediverse.repost.deleted', causeId, { postId: record.postId, accountId: record.accountId, actor, activityId: announceId }, when)
    : callbackEnvelope('fediverse.post.deleted', causeId, { post: record.post, accountIds: record.accountIds ?? [], repost: { activityId: announceId, actor } }, when);
  await enqueueCallback(g, envelope);
  await g.redis.del(g.keys.remoteAnnounce(announceId));
  return applied('undo-announce');
}

async function onBlockReceived(g: Gateway, cmd: Extract<InteractionCommand, { kind: 'block' }>, when: Date): Promise<InboundOutcome> {
  const local = await g.accounts.getByUsername(cmd.username);
  if (!local || local.state !== 'enabled') return ignored('unknown_local_actor');
  const accountId = local.account.id;
  const actor = await remoteActorOrBare(g, cmd.actor);
  // Callback first: a retry after a crash in between still finds the relationship to end.
  await enqueueCallback(g, callbackEnvelope('fediverse.block.received', cmd.activityId, { accountId, actor }, when));
  // The blocker no longer gets the account's posts, and the account no longer follows it.
  await g.followers.remove(accountId, cmd.actor);
  await g.following.remove(accountId, cmd.actor);
  return applied('block');
}

async function onReport(g: Gateway, cmd: Extract<InteractionCommand, { kind: 'report' }>, when: Date): Promise<InboundOutcome> {
  const targets: Array<{ accountId: string } | { postId: string }> = [];
  for (const username of cmd.usernames) {
    const id = await g.accounts.idByUsername(username);
    if (id) targets.push({ accountId: id });
  }
  for (const postId of cmd.postIds) if (await g.posts.get(postId)) targets.push({ postId });
  if (targets.length === 0) return ignored('unknown_local_target');
  const actor = await remoteActorOrBare(g, cmd.actor);
  await enqueueCallback(g, callbackEnvelope('fediverse.report.received', cmd.activityId, { report: { activityId: cmd.activityId, actor, targets, comment: cmd.comment } }, when));
  return applied('report');
}

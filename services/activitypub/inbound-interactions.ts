// Inbound reactions, relationships and moderation → commands (pure): Announce, emoji reactions,
// Block, Flag, Move, and an actor's Update or Delete of itself. Refusals name their reason.
import { type Json, type JsonObject, firstId, hasType, ids, idOf, isObject, str, typeOf } from './as-read';
import { type Reaction, reactionOf } from './reactions';
import { type Uris, localPostIdOf, localUsernameOf } from './uris';

export type InteractionCommand =
  | { kind: 'repost'; activityId: string; actor: string; postId: string }
  /** an Announce of someone else's post, by an actor local accounts may follow */
  | { kind: 'announce'; activityId: string; actor: string; objectUri: string }
  | { kind: 'undo-announce'; actor: string; announceId: string }
  | { kind: 'block'; activityId: string; actor: string; username: string }
  | { kind: 'undo-block'; actor: string; username: string }
  | { kind: 'report'; activityId: string; actor: string; usernames: string[]; postIds: string[]; comment: string }
  | { kind: 'move'; activityId: string; actor: string; target: string }
  | { kind: 'actor-update'; actor: string }
  | { kind: 'actor-delete'; actor: string };

export type InteractionResult = { ok: true; command: InteractionCommand | LikeCommand } | { ok: false; reason: string; detail?: string };

export type LikeCommand = { kind: 'like'; activityId: string; actor: string; postId: string; reaction?: Reaction };

const refuse = (reason: string, detail?: string): InteractionResult => ({ ok: false, reason, ...(detail ? { detail } : {}) });
const ok = (command: InteractionCommand | LikeCommand): InteractionResult => ({ ok: true, command });

export const ACTOR_TYPES = ['Person', 'Service', 'Application', 'Group', 'Organization'];
const ACTIVITY_TYPES = ['Create', 'Update', 'Delete', 'Announce', 'Like', 'Follow', 'Undo', 'Add', 'Remove', 'Block', 'Flag', 'Accept', 'Reject'];

/** Like (a Misskey reaction when it carries one) and EmojiReact, which must carry one emoji. */
export function translateReaction(activity: JsonObject, actor: string, u: Uris): InteractionResult {
  // firstId: the liked object may come wrapped in a one-item array.
  const target = firstId(activity.object as Json | undefined);
  const postId = target ? localPostIdOf(u, target) : undefined;
  const activityId = idOf(activity);
  if (!activityId) return refuse('missing_id');
  if (!postId) return refuse('not_local_target', `${typeOf(activity)} of ${target ?? 'nothing'}`);
  const reaction = reactionOf(activity);
  if (hasType(activity, 'EmojiReact')) {
    if (reaction === undefined || reaction === 'invalid') return refuse('invalid_reaction', `EmojiReact content ${JSON.stringify(activity.content ?? null)}`);
    return ok({ kind: 'like', activityId, actor, postId, reaction });
  }
  // A Like whose content is not an emoji is still a like.
  return ok({ kind: 'like', activityId, actor, postId, ...(reaction && reaction !== 'invalid' ? { reaction } : {}) });
}

export function translateAnnounce(activity: JsonObject, actor: string, u: Uris): InteractionResult {
  const activityId = idOf(activity);
  if (!activityId) return refuse('missing_id');
  const object = activity.object as Json | undefined;
  const objectUri = idOf(object);
  if (!objectUri) return refuse('missing_object');
  // Groups (Lemmy, …) announce activities, not posts: that is a relay, not a repost.
  if (isObject(object) && hasType(object, ...ACTIVITY_TYPES)) return refuse('unsupported_object_type', `Announce(${typeOf(object)})`);
  const postId = localPostIdOf(u, objectUri);
  if (postId) return ok({ kind: 'repost', activityId, actor, postId });
  if (objectUri.startsWith(`${u.origin}/`)) return refuse('not_local_target', `Announce of ${objectUri}`);
  return ok({ kind: 'announce', activityId, actor, objectUri });
}

export function translateBlock(activity: JsonObject, actor: string, u: Uris): InteractionResult {
  const target = idOf(activity.object as Json | undefined);
  const username = target ? localUsernameOf(u, target) : undefined;
  if (!idOf(activity)) return refuse('missing_id');
  if (!username) return refuse('not_local_target', `Block of ${target ?? 'nothing'}`);
  return ok({ kind: 'block', activityId: idOf(activity)!, actor, username });
}

/** Flag naming local accounts and posts; other servers' objects in it are not ours to judge. */
export function translateFlag(activity: JsonObject, actor: string, u: Uris): InteractionResult {
  const activityId = idOf(activity);
  if (!activityId) return refuse('missing_id');
  const named = ids(activity.object as Json | undefined);
  const usernames = named.map((x) => localUsernameOf(u, x)).filter((x): x is string => !!x);
  const postIds = named.map((x) => localPostIdOf(u, x)).filter((x): x is string => !!x);
  if (!usernames.length && !postIds.length) return refuse('not_local_target', 'Flag names no local account or post');
  return ok({ kind: 'report', activityId, actor, usernames, postIds, comment: str(activity.content) ?? '' });
}

/** Move of the actor itself to a new account (confirmed later against the target's alsoKnownAs). */
export function translateMove(activity: JsonObject, actor: string): InteractionResult {
  const activityId = idOf(activity);
  if (!activityId) return refuse('missing_id');
  const object = idOf(activity.object as Json | undefined);
  if (object !== actor) return refuse('actor_mismatch', `Move of ${object ?? 'nothing'}`);
  const target = firstId(activity.target);
  if (!target || target === actor) return refuse('missing_target', 'Move without a new account');
  return ok({ kind: 'move', activityId, actor, target });
}

/**
 * Update or Delete whose object is the actor itself; undefined when the object is not an actor
 * (a note's Update or Delete, translated elsewhere).
 */
export function translateActorLifecycle(type: string, activity: JsonObject, actor: string): InteractionResult | undefined {
  if (type !== 'Update' && type !== 'Delete') return undefined;
  const object = activity.object as Json | undefined;
  const objectId = idOf(object);
  const isActorObject = isObject(object) && hasType(object, ...ACTOR_TYPES);
  if (objectId !== actor) return isActorObject ? refuse('actor_mismatch', `${type} of another actor ${objectId ?? ''}`) : undefined;
  // Named or embedded: the document is fetched afresh either way.
  if (type === 'Update') return ok({ kind: 'actor-update', actor });
  // A Delete of the actor names it by id or embeds it (as a Person or a Tombstone).
  return ok({ kind: 'actor-delete', actor });
}

/** Undo of an Announce, a Block or an EmojiReact; undefined for other types. */
export function translateUndoInteraction(object: JsonObject, actor: string, u: Uris): InteractionResult | undefined {
  const undoneId = idOf(object);
  if (hasType(object, 'Announce')) return undoneId ? ok({ kind: 'undo-announce', actor, announceId: undoneId }) : refuse('missing_object_id');
  if (hasType(object, 'Block')) {
    const target = idOf(object.object as Json | undefined);
    const username = target ? localUsernameOf(u, target) : undefined;
    return username ? ok({ kind: 'undo-block', actor, username }) : refuse('not_local_target', `Undo(Block) of ${target ?? 'nothing'}`);
  }
  return undefined;
}

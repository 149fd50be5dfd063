// Inbound activity → a command for the gateway to carry out, or a named reason to refuse it (pure).
import { type Json, type JsonObject, firstId, firstOf, hasType, idOf, isObject, sameOrigin, typeOf } from './as-read';
import { type FollowAnswerCommand, translateFollowAnswer } from './inbound-follow-answer';
import { type DeleteNoteCommand, type NoteCommand, translateDelete, translateNote } from './inbound-notes';
import { type QuoteAnswer, translateQuoteAnswer } from './quotes';
import { type Uris, localPostIdOf, localUsernameOf } from './uris';
import {
  type InteractionCommand, type LikeCommand, translateActorLifecycle, translateAnnounce, translateBlock, translateFlag, translateMove,
  translateReaction, translateUndoInteraction,
} from './inbound-interactions';

export type InboundCommand =
  | { kind: 'follow'; activityId: string; actor: string; username: string }
  | { kind: 'undo-follow'; actor: string; username?: string; followId?: string }
  // notes (inbound-notes.ts) and answers to our Follows (inbound-follow-answer.ts)
  | NoteCommand
  | DeleteNoteCommand
  | FollowAnswerCommand
  | LikeCommand
  | { kind: 'undo-like'; actor: string; likeId?: string; postId?: string }
  /** Undo naming only the id of what it undoes: the worker finds what that id was. */
  | { kind: 'undo-ref'; actor: string; undoneId: string }
  /** Accept/Reject of our FEP-044f QuoteRequest */
  | QuoteAnswer
  | InteractionCommand;

export type InboundResult =
  | { ok: true; command: InboundCommand }
  | { ok: false; reason: string; detail?: string };

const refuse = (reason: string, detail?: string): InboundResult => ({ ok: false, reason, ...(detail ? { detail } : {}) });

/**
 * `actor` is the verified signer's actor URI: the activity must be its own.
 * Embedded objects are trusted only when attributed to that same actor.
 */
export function translateInbound(activity: JsonObject, signerActor: string, u: Uris): InboundResult {
  const type = typeOf(activity);
  const actor = firstId(activity.actor);
  if (!type) return refuse('missing_type');
  if (!actor) return refuse('missing_actor');
  if (actor !== signerActor) return refuse('actor_mismatch', `activity actor ${actor} is not the signer ${signerActor}`);
  // An actor names its own activities: an id on another server would let it claim (and so
  // pre-empt, as a replay key) that server's activities.
  const ownId = idOf(activity);
  if (ownId && !sameOrigin(ownId, actor)) return refuse('id_origin_mismatch', `activity id ${ownId} is not on the actor's server`);
  // One object is usual; some servers wrap it in an array.
  const object = firstOf(activity.object);
  // Accept/Reject of a QuoteRequest (FEP-044f); other Accepts and Rejects go on below.
  const quoteAnswer = translateQuoteAnswer(activity, actor);
  if (quoteAnswer) return quoteAnswer;
  // An actor's Update or Delete of itself, before the notes' Update and Delete.
  const lifecycle = translateActorLifecycle(type, activity, actor);
  if (lifecycle) return lifecycle;

  switch (type) {
    case 'Follow': {
      const target = idOf(object);
      const username = target ? localUsernameOf(u, target) : undefined;
      const activityId = idOf(activity);
      if (!activityId) return refuse('missing_id');
      if (!username) return refuse('not_local_target', `Follow of ${target ?? 'nothing'}`);
      return { ok: true, command: { kind: 'follow', activityId, actor, username } };
    }
    // reactions, relationships, moderation
    case 'Like':
    case 'EmojiReact':
      return translateReaction(activity, actor, u);
    case 'Announce':
      return translateAnnounce(activity, actor, u);
    case 'Block':
      return translateBlock(activity, actor, u);
    case 'Flag':
      return translateFlag(activity, actor, u);
    case 'Move':
      return translateMove(activity, actor);
    case 'Create':
      return translateNote('create', object, actor, u);
    case 'Update':
      return translateNote('update', object, actor, u);
    case 'Delete':
      return translateDelete(object, actor);
    case 'Accept':
    case 'Reject':
      return translateFollowAnswer(type === 'Accept' ? 'accept' : 'reject', object, actor, u);
    case 'Undo':
      return translateUndo(object, actor, u);
    default:
      return refuse('unsupported_type', type);
  }
}

function translateUndo(object: Json | undefined, actor: string, u: Uris): InboundResult {
  // Undo may embed the undone activity or only reference it by id (an object without a type
  // tells no more than its id).
  const undoneId = idOf(object);
  const undoneActor = isObject(object) ? firstId(object.actor) : undefined;
  if (undoneActor && undoneActor !== actor) return refuse('actor_mismatch', 'Undo of another actor\'s activity');
  if (!isObject(object) || !typeOf(object)) {
    return undoneId ? { ok: true, command: { kind: 'undo-ref', actor, undoneId } } : refuse('missing_object');
  }
  if (hasType(object, 'Follow')) {
    const target = firstId(object.object);
    const username = target ? localUsernameOf(u, target) : undefined;
    return { ok: true, command: { kind: 'undo-follow', actor, ...(username ? { username } : {}), ...(undoneId ? { followId: undoneId } : {}) } };
  }
  const interaction = translateUndoInteraction(object, actor, u);
  if (interaction) return interaction;
  if (hasType(object, 'Like', 'EmojiReact')) {
    const target = firstId(object.object);
    const postId = target ? localPostIdOf(u, target) : undefined;
    return { ok: true, command: { kind: 'undo-like', actor, ...(undoneId ? { likeId: undoneId } : {}), ...(postId ? { postId } : {}) } };
  }
  return refuse('unsupported_type', `Undo(${typeOf(object) ?? '?'})`);
}

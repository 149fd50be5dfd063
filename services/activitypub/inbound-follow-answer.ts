// Accept/Reject of a Follow we sent → a command (pure). Servers embed the Follow with its id
// (Mastodon, Lemmy), embed it without one, or name only its id: all three are understood.
import { type Json, firstId, hasType, idOf, isObject, typeOf } from './as-read';
import { type Uris, localUsernameOf } from './uris';

export interface FollowAnswerCommand {
  kind: 'follow-answer';
  answer: 'accept' | 'reject';
  /** the answering actor: it must be the one we followed */
  actor: string;
  /** the Follow's id, when given: ours, if the answer is for us */
  followId?: string;
  /** the local follower the embedded Follow names, for answers that carry no usable id */
  username?: string;
}

export type FollowAnswerResult = { ok: true; command: FollowAnswerCommand } | { ok: false; reason: string; detail?: string };

export function translateFollowAnswer(answer: 'accept' | 'reject', object: Json | undefined, actor: string, u: Uris): FollowAnswerResult {
  const followId = idOf(object);
  if (!isObject(object)) {
    return followId ? { ok: true, command: { kind: 'follow-answer', answer, actor, followId } } : { ok: false, reason: 'missing_object' };
  }
  // Accept is also used for QuoteRequests, Joins, interaction approvals: only Follows are ours.
  if (object.type !== undefined && !hasType(object, 'Follow')) return { ok: false, reason: 'unsupported_object_type', detail: `${answer}(${typeOf(object) ?? '?'})` };
  const followed = idOf(object.object as Json | undefined);
  if (followed && followed !== actor) return { ok: false, reason: 'actor_mismatch', detail: `answers a Follow of ${followed}` };
  const follower = firstId(object.actor);
  const username = follower ? localUsernameOf(u, follower) : undefined;
  if (!followId && !username) return { ok: false, reason: 'not_local_target', detail: `a Follow by ${follower ?? 'nobody'}` };
  return { ok: true, command: { kind: 'follow-answer', answer, actor, ...(followId ? { followId } : {}), ...(username ? { username } : {}) } };
}

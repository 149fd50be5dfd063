// Reactions, relationships and moderation → ActivityStreams activities (pure): Like, Announce,
// Accept/Reject of a Follow, Block, Flag, and the Undo of each that can be undone.
import { AS, PUBLIC } from './contexts';

/** What an Undo needs to restate the activity it takes back (receivers match on id and type). */
export interface UndoableActivity {
  id: string;
  type: string;
  actor: string;
  object: string;
  to?: string[];
  cc?: string[];
}

export function likeActivity(id: string, actor: string, object: string, author: string) {
  return { '@context': AS, id, type: 'Like', actor, object, to: [author] };
}

/** Mastodon's reblog addressing: public, cc the reposter's followers and the original author. */
export function announceActivity(id: string, actor: string, followers: string, object: string, author: string, published: string) {
  return { '@context': AS, id, type: 'Announce', actor, published, to: [PUBLIC], cc: [followers, author], object };
}

export function blockActivity(id: string, actor: string, target: string) {
  return { '@context': AS, id, type: 'Block', actor, object: target, to: [target] };
}

/** Undo embedding what it undoes, addressed like it: the id is derived, so a retry mints the same. */
export function undoActivity(undone: UndoableActivity) {
  const { id, type, actor, object, to, cc } = undone;
  return {
    '@context': AS,
    id: `${id}/undo`,
    type: 'Undo',
    actor,
    ...(to ? { to } : {}),
    ...(cc ? { cc } : {}),
    object: { id, type, actor, object },
  };
}

/** Reject of a remembered Follow: a refused request, or a follower removed by the account. */
export function rejectFollow(localActor: string, follow: { id: string; actor: string; object: string }, rejectId: string) {
  return {
    '@context': AS,
    id: rejectId,
    type: 'Reject',
    actor: localActor,
    to: [follow.actor],
    object: { id: follow.id, type: 'Follow', actor: follow.actor, object: follow.object },
  };
}

/**
 * A report, as Mastodon sends it: from the instance actor (the reporter stays anonymous), the
 * reported actor first, then the reported objects.
 */
export function flagActivity(id: string, instanceActor: string, target: string, objects: string[], comment: string) {
  return { '@context': AS, id, type: 'Flag', actor: instanceActor, content: comment, object: [target, ...objects], to: [target] };
}

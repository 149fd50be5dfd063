// A local account's follow of a remote actor → Follow and Undo(Follow) activities (pure).
import { AS } from './contexts';

export interface FollowActivity {
  '@context': string;
  id: string;
  type: 'Follow';
  actor: string;
  object: string;
}

/** Shaped like Mastodon's: servers match Follows by actor and object, and remember the id. */
export function followActivity(id: string, localActor: string, target: string): FollowActivity {
  return { '@context': AS, id, type: 'Follow', actor: localActor, object: target };
}

/** Undo embeds the whole Follow: servers that lost (or never kept) its id still match it. */
export function undoFollowActivity(id: string, follow: FollowActivity) {
  const { '@context': context, ...embedded } = follow;
  return { '@context': context, id, type: 'Undo', actor: follow.actor, to: [follow.object], object: embedded };
}

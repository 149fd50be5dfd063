// An account leaving the fediverse, as remote servers see it (pure): Delete(Person) and the
// Tombstone its actor URI answers with afterwards.
import { AS, PUBLIC } from './contexts';
import type { Uris } from './uris';

/**
 * Delete(Person) as Mastodon sends it: actor and object are the actor URI, addressed to Public so
 * every server that knows the actor accepts it, whoever follows whom.
 */
export function deleteActorActivity(username: string, eventId: string, u: Uris) {
  const actor = u.actor(username);
  return { '@context': AS, id: u.activity(eventId, 'Delete'), type: 'Delete', actor, to: [PUBLIC], object: actor };
}

export function actorTombstone(username: string, u: Uris, deletedAt?: string) {
  return { '@context': AS, id: u.actor(username), type: 'Tombstone', formerType: 'Person', ...(deletedAt ? { deleted: deletedAt } : {}) };
}

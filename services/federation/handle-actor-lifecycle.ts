// A remote actor's Update, Move or Delete of itself: the actor cache is refreshed or dropped,
// relationships follow, and the platform is told.
import { type JsonObject, asArray, idOf, ids, isObject } from '../activitypub/as-read';
import { callbackEnvelope, remoteActorOf } from '../activitypub/callbacks';
import type { InteractionCommand } from '../activitypub/inbound-interactions';
import type { Gateway } from '../gateway';
import type { InboxJob } from '../queue/jobs';
import { enqueueCallback } from './enqueue';
import type { InboundOutcome } from './handle-inbound';
import { RemoteUnavailableError, remoteActorOrBare } from './remote-actors';
import { remoteRecordOf } from './resolve-actor';
import { unlinkKeys } from '../store/redis';

type LifecycleCommand = Extract<InteractionCommand, { kind: 'move' | 'actor-update' | 'actor-delete' }>;

const ignored = (reason: string): InboundOutcome => ({ outcome: 'ignored', reason });

const keyIdsOf = (doc: JsonObject | undefined) => (doc ? asArray(doc.publicKey).map((k) => (isObject(k) ? idOf(k) : undefined)).filter((k): k is string => !!k) : []);

async function cachedActor(g: Gateway, uri: string): Promise<JsonObject | undefined> {
  const cached = await g.redis.get(g.keys.remoteActor(uri));
  return cached ? (JSON.parse(cached) as JsonObject) : undefined;
}

/** The actor document fetched afresh; a value when it is gone, an error when its server is down. */
async function refetch(g: Gateway, uri: string): Promise<JsonObject | undefined> {
  const found = await g.actors.actor(uri, { refresh: true });
  if (found.ok) return found.actor;
  if (/network|http_error/.test(found.reason)) throw new RemoteUnavailableError(`${uri}: ${found.reason}`);
  return undefined;
}

export async function handleActorLifecycle(g: Gateway, cmd: LifecycleCommand, job: InboxJob): Promise<InboundOutcome> {
  const when = new Date(job.receivedAt);
  switch (cmd.kind) {
    case 'actor-update': {
      const before = await cachedActor(g, cmd.actor);
      // The document as its server serves it now, not the copy in the activity.
      const doc = await refetch(g, cmd.actor);
      if (!doc) return ignored('actor_unavailable');
      // Keys cached from the old document may be rotated away: the next signature fetches them.
      const stale = [...new Set([...keyIdsOf(before), ...keyIdsOf(doc)])];
      await unlinkKeys(g.redis, stale.map((k) => g.keys.remoteKey(k)));
      // Its followings of local accounts are delivered to its inboxes as they now are.
      const record = remoteRecordOf(doc);
      if (record) for (const accountId of await g.followers.accountsFollowedBy(cmd.actor)) await g.followers.setInboxes(accountId, cmd.actor, record.inbox, record.sharedInbox);
      await enqueueCallback(g, callbackEnvelope('fediverse.actor.updated', job.activityId, { actor: remoteActorOf(doc) }, when));
      return { outcome: 'applied', kind: 'actor-update' };
    }
    case 'move': {
      // Anyone can claim to have moved anywhere: the new account must name the old one.
      const target = await refetch(g, cmd.target);
      if (!target) return ignored('move_target_not_found');
      if (!ids(target.alsoKnownAs).includes(cmd.actor)) return ignored('move_not_confirmed');
      const old = (await refetch(g, cmd.actor)) ?? (await cachedActor(g, cmd.actor));
      const actor = old ? remoteActorOf(old) : await remoteActorOrBare(g, cmd.actor);
      // Local accounts following the old actor: the platform may move their follows.
      const accountIds = await g.following.localFollowersOf(cmd.actor);
      await enqueueCallback(g, callbackEnvelope('fediverse.actor.moved', cmd.activityId, { actor: { ...actor, movedTo: remoteActorOf(target) }, accountIds }, when));
      return { outcome: 'applied', kind: 'move' };
    }
    case 'actor-delete':
      return onActorDelete(g, cmd.actor, job, when);
  }
}

async function onActorDelete(g: Gateway, actorUri: string, job: InboxJob, when: Date): Promise<InboundOutcome> {
  // Unsigned in effect (its key is gone with it): believed only once its URI answers 410.
  if (job.unverifiedGoneActor) {
    const res = await g.fetchDocument(actorUri);
    if (res.ok || res.reason !== 'gone') {
      if (!res.ok && res.reason === 'network') throw new RemoteUnavailableError(`${actorUri}: ${res.reason}`);
      return ignored('actor_not_gone');
    }
  }
  const before = await cachedActor(g, actorUri);
  const actor = before ? remoteActorOf(before) : await remoteActorOrBare(g, actorUri);
  // Callback first: a retry after a crash in between still finds the records to drop.
  // Named by the actor, not the activity: a repeated or unverified Delete makes the same callback.
  await enqueueCallback(g, callbackEnvelope('fediverse.actor.deleted', `${actorUri}#deleted`, { actor }, when));
  for (const accountId of await g.followers.accountsFollowedBy(actorUri)) await g.followers.remove(accountId, actorUri);
  for (const accountId of await g.following.localFollowersOf(actorUri)) await g.following.remove(accountId, actorUri);
  await unlinkKeys(g.redis, [g.keys.remoteActor(actorUri), ...keyIdsOf(before).map((k) => g.keys.remoteKey(k))]);
  return { outcome: 'applied', kind: 'actor-delete' };
}

// Remote actors as the platform sees them (RemoteActor), read through the actor cache.
import type { JsonObject } from '../activitypub/as-read';
import { type RemoteActor, remoteActorOf, remoteHandle } from '../activitypub/callbacks';
import type { Gateway } from '../gateway';

/** The remote side is unreachable for now: the inbox job is retried. */
export class RemoteUnavailableError extends Error {}

export async function remoteActor(g: Gateway, uri: string): Promise<{ doc: JsonObject; actor: RemoteActor }> {
  const found = await g.actors.actor(uri);
  if (!found.ok) throw new RemoteUnavailableError(`${uri}: ${found.reason}`);
  return { doc: found.actor, actor: remoteActorOf(found.actor) };
}

/** The actor as cached or fetched; when its server is gone, what its URI alone tells. */
export async function remoteActorOrBare(g: Gateway, uri: string): Promise<RemoteActor> {
  const found = await g.actors.actor(uri);
  if (found.ok) return remoteActorOf(found.actor);
  const handle = remoteHandle(undefined, uri);
  return { uri, handle, name: handle.slice(1).split('@')[0]!, summaryHtml: '' };
}

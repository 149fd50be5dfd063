// Ref ({postId} | {uri}) → a live local post, or a remote object fetched (signed GET) to learn
// its author and audience. Expected failures are values; an unreachable server is an error
// (the event job is retried).
import { type JsonObject, asArray, firstId, idOf, sameOrigin } from '../activitypub/as-read';
import { PUBLIC } from '../activitypub/contexts';
import { localPostIdOf } from '../activitypub/uris';
import type { Gateway } from '../gateway';
import type { Post, Ref } from '../platform/event-schemas';
import { type RemoteActorRecord, resolveActorUri } from './resolve-actor';

export class RemoteObjectUnavailableError extends Error {}

export type ResolvedObject =
  | { kind: 'local'; uri: string; postId: string; accountId: string; visibility: Post['visibility'] }
  | { kind: 'remote'; uri: string; doc: JsonObject; author: RemoteActorRecord; isPublic: boolean };

export type ObjectResolution = { ok: true; object: ResolvedObject } | { ok: false; reason: 'target_not_found' | 'target_invalid'; detail: string };

const PUBLIC_NAMES = new Set([PUBLIC, 'as:Public', 'Public']);

/** Addressed to everyone (public or unlisted): the only objects that may be announced. */
export const isPublicObject = (doc: JsonObject) => [...asArray(doc.to), ...asArray(doc.cc)].some((a) => PUBLIC_NAMES.has(idOf(a) ?? ''));

export async function resolveObjectRef(g: Gateway, ref: Ref): Promise<ObjectResolution> {
  const postId = 'postId' in ref ? ref.postId : localPostIdOf(g.uris, ref.uri);
  if (postId !== undefined) {
    const stored = await g.posts.get(postId);
    if (!stored?.post || stored.state !== 'live' || !stored.federated) return { ok: false, reason: 'target_not_found', detail: `no federated post ${postId}` };
    return { ok: true, object: { kind: 'local', uri: g.uris.post(postId), postId, accountId: stored.accountId, visibility: stored.post.visibility } };
  }
  const uri = (ref as { uri: string }).uri;
  if (uri.startsWith(`${g.uris.origin}/`)) return { ok: false, reason: 'target_not_found', detail: `${uri} is not an object of this gateway` };
  const res = await g.fetchDocument(uri);
  if (!res.ok) {
    if (res.reason === 'network' || (res.reason === 'http_error' && (res.status ?? 500) >= 500)) {
      throw new RemoteObjectUnavailableError(`${uri}: ${res.reason}${res.status ? ` ${res.status}` : ''}`);
    }
    return { ok: false, reason: 'target_not_found', detail: `${uri}: ${res.reason}` };
  }
  const doc = res.doc;
  const id = idOf(doc);
  // The object must be served from its own origin, and claim an author on that origin: a
  // document cannot make us send a Like or Announce to a third party.
  if (!id || !sameOrigin(id, uri)) return { ok: false, reason: 'target_invalid', detail: `${uri} serves an object named ${id ?? 'nothing'}` };
  const authorUri = firstId(doc.attributedTo) ?? firstId(doc.actor);
  if (!authorUri || !sameOrigin(authorUri, id)) return { ok: false, reason: 'target_invalid', detail: `${id} is attributed to ${authorUri ?? 'nobody'}` };
  const author = await resolveActorUri(g, authorUri);
  if (!author.ok) {
    if (author.reason === 'unavailable') throw new RemoteObjectUnavailableError(author.detail);
    return { ok: false, reason: 'target_not_found', detail: author.detail };
  }
  if (author.actor.kind !== 'remote') return { ok: false, reason: 'target_invalid', detail: `${id} claims a local author` };
  return { ok: true, object: { kind: 'remote', uri: id, doc, author: author.actor, isPublic: isPublicObject(doc) } };
}

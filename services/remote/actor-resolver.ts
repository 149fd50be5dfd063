// Remote actors and their public keys, cached in Redis; refetched once when a signature fails.
import type { RedisClient } from '../store/redis';
import type { RedisKeys } from '../../config/redis-keys';
import { type Json, type JsonObject, asArray, firstId, isObject, sameOrigin, str } from '../activitypub/as-read';
import type { FetchDocument } from './signed-fetch';

/** How long a fetched actor document and public key are trusted before they are fetched again. */
export const ACTOR_TTL_SECONDS = 24 * 3600;
export const KEY_TTL_SECONDS = 24 * 3600;

export interface RemoteKey {
  owner: string;
  publicKeyPem: string;
}

export type ActorLookup = { ok: true; actor: JsonObject } | { ok: false; reason: string };

const ACTOR_TYPES = new Set(['Person', 'Service', 'Application', 'Group', 'Organization']);

function isActor(doc: JsonObject): boolean {
  return asArray(doc.type).some((t) => typeof t === 'string' && ACTOR_TYPES.has(t)) && typeof doc.inbox === 'string';
}

/** The key with this id among an actor's publicKey values (one object or an array). */
function keyIn(actor: JsonObject, keyId: string): string | undefined {
  for (const k of asArray(actor.publicKey as Json)) {
    if (isObject(k) && k.id === keyId && (firstId(k.owner) ?? actor.id) === actor.id) return str(k.publicKeyPem);
  }
  return undefined;
}

export function createActorResolver(redis: RedisClient, keys: RedisKeys, fetchDocument: FetchDocument) {
  async function actor(uri: string, opts: { refresh?: boolean } = {}): Promise<ActorLookup> {
    if (!opts.refresh) {
      const cached = await redis.get(keys.remoteActor(uri));
      if (cached) return { ok: true, actor: JSON.parse(cached) as JsonObject };
    }
    const res = await fetchDocument(uri);
    if (!res.ok) return { ok: false, reason: `actor_${res.reason}` };
    // An actor document must be what it says it is, served from its own origin.
    if (res.doc.id !== uri.replace(/#.*$/, '') || !isActor(res.doc)) return { ok: false, reason: 'actor_invalid' };
    await redis.set(keys.remoteActor(uri), JSON.stringify(res.doc), 'EX', ACTOR_TTL_SECONDS);
    return { ok: true, actor: res.doc };
  }

  async function publicKey(keyId: string, opts: { refresh?: boolean } = {}): Promise<RemoteKey | undefined> {
    if (!opts.refresh) {
      const cached = await redis.get(keys.remoteKey(keyId));
      if (cached) return JSON.parse(cached) as RemoteKey;
    }
    const docUrl = keyId.replace(/#.*$/, '');
    const res = await fetchDocument(docUrl);
    if (!res.ok) return undefined;
    // The owner is always the actor document fetched at its own id: a document served at some
    // other URL on the same origin (an upload, say) cannot claim to be an actor and its key.
    let ownerId: string | undefined;
    if (isActor(res.doc) && res.doc.id === docUrl) ownerId = docUrl;
    else ownerId = firstId(res.doc.owner) ?? (isActor(res.doc) ? str(res.doc.id) : undefined);
    if (!ownerId || !sameOrigin(ownerId, keyId)) return undefined;
    let owner: JsonObject;
    if (ownerId === docUrl) {
      owner = res.doc;
    } else {
      const found = await actor(ownerId, { refresh: opts.refresh ?? false });
      if (!found.ok) return undefined;
      owner = found.actor;
    }
    // The owner must list this key back (a key document cannot adopt an actor).
    const pem = keyIn(owner, keyId);
    if (!pem) return undefined;
    const key: RemoteKey = { owner: ownerId, publicKeyPem: pem };
    // Two caches of their own (slots): either alone is refetched when missing.
    await Promise.all([
      redis.set(keys.remoteKey(keyId), JSON.stringify(key), 'EX', KEY_TTL_SECONDS),
      redis.set(keys.remoteActor(ownerId), JSON.stringify(owner), 'EX', ACTOR_TTL_SECONDS),
    ]);
    return key;
  }

  return { actor, publicKey };
}

export type ActorResolver = ReturnType<typeof createActorResolver>;

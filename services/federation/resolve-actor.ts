// ActorRef ({accountId} | {handle} | {uri}) → a local account or a fetched remote actor with its
// inboxes. Handles go through WebFinger (cached a day); actor documents through the actor cache.
import { type JsonObject, isObject, str } from '../activitypub/as-read';
import { formatHandle, parseHandle } from '../activitypub/handles';
import { localUsernameOf } from '../activitypub/uris';
import type { Gateway } from '../gateway';
import type { ActorRef } from '../platform/event-schemas';
import { lookupWebfinger } from '../remote/webfinger';

export interface LocalActor {
  kind: 'local';
  accountId: string;
  username: string;
  uri: string;
}

export interface RemoteActorRecord {
  kind: 'remote';
  uri: string;
  doc: JsonObject;
  inbox: string;
  sharedInbox?: string;
}

export type ResolvedActor = LocalActor | RemoteActorRecord;

/** not_found: no such actor (404/410, unknown handle); unavailable: its server failed (retry later). */
export type ActorResolution =
  | { ok: true; actor: ResolvedActor }
  | { ok: false; reason: 'not_found' | 'unavailable' | 'invalid'; detail: string };

const WEBFINGER_TTL_SECONDS = 24 * 3600;

const fail = (reason: 'not_found' | 'unavailable' | 'invalid', detail: string): ActorResolution => ({ ok: false, reason, detail });

async function local(g: Gateway, username: string): Promise<ActorResolution> {
  const stored = await g.accounts.getByUsername(username);
  if (!stored || stored.state !== 'enabled') return fail('not_found', `no enabled local account ${username}`);
  return { ok: true, actor: { kind: 'local', accountId: stored.account.id, username: stored.account.username, uri: g.uris.actor(stored.account.username) } };
}

/** The inboxes of a remote actor document; undefined when it has no inbox. */
export function remoteRecordOf(doc: JsonObject): RemoteActorRecord | undefined {
  const uri = str(doc.id);
  const inbox = str(doc.inbox);
  if (!uri || !inbox) return undefined;
  const sharedInbox = isObject(doc.endpoints) ? str(doc.endpoints.sharedInbox) : undefined;
  return { kind: 'remote', uri, doc, inbox, ...(sharedInbox ? { sharedInbox } : {}) };
}

export async function resolveActorUri(g: Gateway, uri: string, opts: { refresh?: boolean } = {}): Promise<ActorResolution> {
  const username = localUsernameOf(g.uris, uri);
  if (username) return local(g, username);
  if (uri.startsWith(`${g.uris.origin}/`)) return fail('not_found', `${uri} is not an actor of this gateway`);
  const found = await g.actors.actor(uri, opts);
  if (!found.ok) {
    const reason = /gone|not_found|invalid|blocked/.test(found.reason) ? (found.reason === 'actor_invalid' ? 'invalid' : 'not_found') : 'unavailable';
    return fail(reason, `${uri}: ${found.reason}`);
  }
  const record = remoteRecordOf(found.actor);
  return record ? { ok: true, actor: record } : fail('invalid', `${uri} has no inbox`);
}

export async function resolveHandle(g: Gateway, text: string): Promise<ActorResolution> {
  const handle = parseHandle(text);
  if (!handle) return fail('invalid', `${text} is not a handle such as @bob@example.social`);
  if (handle.host === g.config.handleDomain) return local(g, handle.username);
  const cacheKey = g.keys.webfinger(formatHandle(handle).toLowerCase());
  let actorUri = await g.redis.get(cacheKey);
  if (!actorUri) {
    const found = await lookupWebfinger({ agent: g.agent, allowPrivateAddresses: g.config.allowPrivateAddresses, userAgent: g.userAgent, blockOfUrl: g.domainBlocks.blockOfUrl }, handle);
    if (!found.ok) return fail(found.reason === 'unavailable' ? 'unavailable' : 'not_found', `${formatHandle(handle)}: ${found.reason}${found.detail ? ` (${found.detail})` : ''}`);
    actorUri = found.actorUri;
    await g.redis.set(cacheKey, actorUri, 'EX', WEBFINGER_TTL_SECONDS);
  }
  return resolveActorUri(g, actorUri);
}

export async function resolveActorRef(g: Gateway, ref: ActorRef): Promise<ActorResolution> {
  if ('accountId' in ref) {
    const stored = await g.accounts.get(ref.accountId);
    if (!stored || stored.state !== 'enabled') return fail('not_found', `no enabled local account ${ref.accountId}`);
    return local(g, stored.account.username);
  }
  if ('handle' in ref) return resolveHandle(g, ref.handle);
  return resolveActorUri(g, ref.uri);
}

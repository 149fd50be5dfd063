// The platform's queries (contract §3): find a fediverse actor by handle, actor URI or profile
// URL; an account's federation state and counts. Failures are values the route maps to statuses.
import { isObject, str } from '../activitypub/as-read';
import { type RemoteActor, remoteActorOf } from '../activitypub/callbacks';
import { parseHandle } from '../activitypub/handles';
import { renderText } from '../activitypub/render';
import type { Gateway } from '../gateway';
import type { AccountFederation, PostFederation } from '../platform/query-schemas';
import { type ActorResolution, resolveActorUri, resolveHandle } from './resolve-actor';

export type LookupResult =
  | { ok: true; actor: RemoteActor & { accountId?: string } }
  | { ok: false; reason: 'malformed' | 'not_found' | 'unavailable'; detail: string };

const isHttpUrl = (q: string) => {
  try {
    const url = new URL(q);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

const ACTOR_TYPES = ['Person', 'Service', 'Application', 'Group', 'Organization'];

export async function lookupActor(g: Gateway, q: string): Promise<LookupResult> {
  let found: ActorResolution;
  if (parseHandle(q)) {
    found = await resolveHandle(g, q);
  } else if (isHttpUrl(q)) {
    found = await resolveActorUri(g, q);
    // A profile URL (https://server/@bob) answers the AS2 Accept with the actor under its own id.
    if (!found.ok && found.reason === 'invalid') found = await viaProfileUrl(g, q, found);
  } else {
    return { ok: false, reason: 'malformed', detail: 'a handle such as @bob@example.social, an actor URI or a profile URL' };
  }
  if (!found.ok) return { ok: false, reason: found.reason === 'unavailable' ? 'unavailable' : 'not_found', detail: found.detail };
  const actor = found.actor;
  if (actor.kind === 'remote') return { ok: true, actor: remoteActorOf(actor.doc) };
  const stored = await g.accounts.get(actor.accountId);
  if (!stored) return { ok: false, reason: 'not_found', detail: `no enabled local account ${actor.username}` };
  const { account } = stored;
  return {
    ok: true,
    actor: {
      uri: actor.uri,
      handle: `@${account.username}@${g.config.handleDomain}`,
      name: account.displayName,
      summaryHtml: renderText(account.summary, g.uris).html,
      ...(account.avatar ? { avatarUrl: account.avatar.url } : {}),
      url: account.profileUrl,
      accountId: account.id,
    },
  };
}

async function viaProfileUrl(g: Gateway, url: string, failed: ActorResolution): Promise<ActorResolution> {
  const res = await g.fetchDocument(url);
  if (!res.ok) return failed;
  const id = str(res.doc.id);
  const type = res.doc.type;
  const isActor = (Array.isArray(type) ? type : [type]).some((t) => typeof t === 'string' && ACTOR_TYPES.includes(t));
  if (!id || id === url || !isActor || !isObject(res.doc)) return { ok: false, reason: 'not_found', detail: `${url} is not an actor or a profile page of one` };
  return resolveActorUri(g, id);
}

export async function accountFederation(g: Gateway, accountId: string): Promise<AccountFederation | undefined> {
  const state = await g.accounts.stateOf(accountId);
  if (!state) return undefined;
  const [remoteFollowers, following, followRequests] = await Promise.all([
    g.followers.count(accountId),
    g.following.count(accountId),
    g.redis.hlen(g.keys.followRequests(accountId)),
  ]);
  return { accountId, enabled: state === 'enabled', state, remoteFollowers, following, followRequests };
}

/** Federation receipts of one post: which servers took its Create, which failed, which took its Delete. */
export async function postFederation(g: Gateway, postId: string): Promise<PostFederation | undefined> {
  const stored = await g.posts.get(postId);
  if (!stored) return undefined;
  const servers = await g.postReceipts.byServer(postId);
  const totals = { servers: servers.length, inboxes: 0, create: { accepted: 0, failed: 0, pending: 0, cancelled: 0 }, delete: { acknowledged: 0, failed: 0 } };
  for (const s of servers) {
    totals.inboxes += s.inboxes;
    for (const k of Object.keys(totals.create) as Array<keyof typeof totals.create>) totals.create[k] += s.create[k];
    for (const k of Object.keys(totals.delete) as Array<keyof typeof totals.delete>) totals.delete[k] += s.delete[k];
  }
  const deleted = stored.state === 'deleted' || !stored.federated;
  // A Delete still retrying there counts: until it is acknowledged the server may show the post.
  const stillHeldBy = deleted ? servers.filter((s) => s.create.accepted > s.delete.acknowledged).map((s) => s.domain) : [];
  return { postId, state: stored.state, federated: stored.state === 'live' && stored.federated, totals, stillHeldBy, servers };
}

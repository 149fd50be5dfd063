// Resolves what a post points at (mentions, the post it replies to, the post it quotes) into
// PostRefs for the pure Note builder, and the remote inboxes those actors read. A reference that
// does not exist is dropped (the post goes out without it); one whose server is down makes the
// event retry, until the last attempt, which goes out without it rather than never.
import { type JsonObject, firstId, idOf, sameOrigin, str, urlOf } from '../activitypub/as-read';
import { parseHandle } from '../activitypub/handles';
import { type PostRefs, type ResolvedMention, type ResolvedRef, conversationOf } from '../activitypub/post-refs';
import { localPostIdOf } from '../activitypub/uris';
import type { Gateway } from '../gateway';
import type { ActorRef, Post, Ref } from '../platform/event-schemas';
import { deliveryInbox } from '../store/followers';
import { type ResolvedActor, resolveActorRef, resolveActorUri } from './resolve-actor';

/** A reference's server failed: retry the event later. */
export class RefsUnavailableError extends Error {}

export interface ResolveOptions {
  /** the event's last attempt: go out without what is still unavailable */
  finalAttempt?: boolean;
}

/** Longest chain of local replies walked to find a thread's id. */
const MAX_THREAD_WALK = 50;

const inboxOf = (a: ResolvedActor) => (a.kind === 'remote' ? deliveryInbox(a) : undefined);

function mentionOf(g: Gateway, ref: ActorRef, a: ResolvedActor): ResolvedMention {
  if (a.kind === 'local') return { uri: a.uri, name: `@${a.username}@${g.config.handleDomain}`, href: a.uri };
  // The handle as the platform wrote it, else the actor's preferredUsername at its host.
  const handle = 'handle' in ref ? parseHandle(ref.handle) : undefined;
  const username = handle?.username ?? str(a.doc.preferredUsername) ?? 'unknown';
  const host = handle?.host ?? new URL(a.uri).host;
  return { uri: a.uri, name: `@${username}@${host}`, href: urlOf(a.doc.url) ?? a.uri };
}

export function createPostResolver(g: Gateway, opts: ResolveOptions) {
  const unavailable = (what: string, detail: string) => {
    if (!opts.finalAttempt) throw new RefsUnavailableError(`${what}: ${detail}`);
    g.logger.warn({ what, detail }, 'post goes out without a reference whose server stayed unavailable');
  };

  async function mention(ref: ActorRef): Promise<{ mention: ResolvedMention; inbox?: string } | undefined> {
    const found = await resolveActorRef(g, ref);
    if (!found.ok) {
      if (found.reason === 'unavailable') unavailable('mention', found.detail);
      else g.logger.info({ ref, detail: found.detail }, 'mention not resolvable: left as plain text');
      return undefined;
    }
    const inbox = inboxOf(found.actor);
    return { mention: mentionOf(g, ref, found.actor), ...(inbox ? { inbox } : {}) };
  }

  async function localPost(postId: string): Promise<{ ref: ResolvedRef; conversation: string }> {
    const stored = await g.posts.get(postId);
    const owner = stored?.accountId ? await g.accounts.get(stored.accountId) : undefined;
    const username = owner?.account.username;
    const ref = { uri: g.uris.post(postId), ...(username ? { author: g.uris.actor(username), authorName: `@${username}@${g.config.handleDomain}` } : {}) };
    return { ref, conversation: await localConversation(postId) };
  }

  /**
   * The thread of a local post: the one stored with it, else (its refs not saved yet, say) its
   * ancestors', up to the root or the first remote ancestor's.
   */
  async function localConversation(postId: string): Promise<string> {
    let id = postId;
    for (let depth = 0; depth < MAX_THREAD_WALK; depth++) {
      const stored = await g.posts.get(id);
      if (stored?.refs?.conversation) return stored.refs.conversation;
      const parent = stored?.post?.inReplyTo;
      if (!stored?.post || !parent) return conversationOf(g.config.handleDomain, id, stored?.post?.createdAt ?? new Date(0).toISOString());
      const parentId = 'postId' in parent ? parent.postId : localPostIdOf(g.uris, parent.uri);
      if (parentId === undefined) return (await remotePost((parent as { uri: string }).uri)).conversation ?? conversationOf(g.config.handleDomain, id, stored.post.createdAt);
      id = parentId;
    }
    return conversationOf(g.config.handleDomain, id, new Date(0).toISOString());
  }

  /** Fetches a remote object for its author; conversation is the thread id it carries, if any. */
  async function remotePost(uri: string): Promise<{ ref: ResolvedRef; conversation?: string }> {
    const res = await g.fetchDocument(uri);
    if (!res.ok) {
      const transient = res.reason === 'network' || (res.reason === 'http_error' && (res.status ?? 500) >= 500);
      if (transient) unavailable('post', `${uri}: ${res.reason}${res.status ? ` ${res.status}` : ''}`);
      return { ref: { uri } };
    }
    const doc: JsonObject = res.doc;
    const author = firstId(doc.attributedTo);
    // Only an author on the object's own server is believed (a document cannot name a stranger).
    if (!author || !sameOrigin(author, uri) || (idOf(doc) && !sameOrigin(idOf(doc)!, uri))) return { ref: { uri } };
    const conversation = str(doc.conversation) ?? idOf(doc.context);
    const actor = await resolveActorUri(g, author);
    if (!actor.ok) {
      if (actor.reason === 'unavailable') unavailable('author', actor.detail);
      return { ref: { uri }, ...(conversation ? { conversation } : {}) };
    }
    const inbox = inboxOf(actor.actor);
    const authorName = mentionOf(g, { uri: actor.actor.uri }, actor.actor).name;
    return { ref: { uri, author: actor.actor.uri, authorName, ...(inbox ? { inbox } : {}) }, ...(conversation ? { conversation } : {}) };
  }

  async function post(ref: Ref) {
    const localId = 'postId' in ref ? ref.postId : localPostIdOf(g.uris, ref.uri);
    return localId !== undefined ? localPost(localId) : remotePost((ref as { uri: string }).uri);
  }

  return { mention, post };
}

export async function resolvePostRefs(g: Gateway, post: Post, opts: ResolveOptions = {}): Promise<PostRefs> {
  const r = createPostResolver(g, opts);
  const inboxes = new Set<string>();
  const mentions = new Map<string, ResolvedMention>();
  for (const found of await Promise.all((post.mentions ?? []).map(r.mention))) {
    if (!found) continue;
    if (!mentions.has(found.mention.uri)) mentions.set(found.mention.uri, found.mention);
    if (found.inbox) inboxes.add(found.inbox);
  }
  const [parent, quoted] = await Promise.all([post.inReplyTo ? r.post(post.inReplyTo) : undefined, post.quoteOf ? r.post(post.quoteOf) : undefined]);
  for (const p of [parent, quoted]) if (p?.ref.inbox) inboxes.add(p.ref.inbox);
  return {
    mentions: [...mentions.values()],
    ...(parent ? { inReplyTo: parent.ref } : {}),
    ...(quoted ? { quote: quoted.ref } : {}),
    conversation: parent?.conversation ?? conversationOf(g.config.handleDomain, post.id, post.createdAt),
    inboxes: [...inboxes],
  };
}

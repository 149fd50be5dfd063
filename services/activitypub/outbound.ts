// Platform post events → ActivityStreams Note and Create/Update/Delete activities (pure).
import type { Media, Post, Ref } from '../platform/event-schemas';
import { AS_LINK_MEDIA_TYPE, NOTE_CONTEXT, PUBLIC } from './contexts';
import type { PostRefs } from './post-refs';
import { linkHtml, renderText } from './render';
import type { Uris } from './uris';

export interface Audience {
  to: string[];
  cc: string[];
}

/** Mastodon's addressing per visibility; `mentioned` goes to the mentioned actors only. */
export function addressing(visibility: Post['visibility'], followersUri: string, mentioned: string[]): Audience {
  switch (visibility) {
    case 'public':
      return { to: [PUBLIC], cc: [followersUri, ...mentioned] };
    case 'unlisted':
      return { to: [followersUri], cc: [PUBLIC, ...mentioned] };
    case 'followers':
      return { to: [followersUri], cc: mentioned };
    case 'mentioned':
      return { to: mentioned, cc: [] };
  }
}

export const refUri = (ref: Ref, u: Uris) => ('postId' in ref ? u.post(ref.postId) : ref.uri);

const NO_REFS: PostRefs = { mentions: [], conversation: '', inboxes: [] };

/** Actors a post names: mentioned, replied-to and quoted authors, once each, never the author. */
function namedActors(refs: PostRefs, self: string): string[] {
  const all = [...refs.mentions.map((m) => m.uri), refs.inReplyTo?.author, refs.quote?.author];
  return [...new Set(all.filter((a): a is string => !!a && a !== self))];
}

/** The Note's to/cc: its visibility's audience plus every actor it names. */
export function noteAudience(post: Pick<Post, 'visibility'>, username: string, u: Uris, refs: PostRefs = NO_REFS): Audience {
  return addressing(post.visibility, u.followers(username), namedActors(refs, u.actor(username)));
}

const iso8601Duration = (seconds: number) => `PT${Math.round(seconds * 1000) / 1000}S`;

// By media type rather than kind: a "gif" is often an mp4, which servers must play as video.
const ATTACHMENT_TYPES: Record<string, string> = { image: 'Image', video: 'Video', audio: 'Audio' };

function attachment(m: Media) {
  const type = ATTACHMENT_TYPES[m.mediaType.split('/')[0]!.toLowerCase()] ?? 'Document';
  return {
    type,
    mediaType: m.mediaType,
    url: m.url,
    name: m.alt ?? null,
    ...(m.width ? { width: m.width } : {}),
    ...(m.height ? { height: m.height } : {}),
    ...(m.blurhash ? { blurhash: m.blurhash } : {}),
    ...(m.durationSec !== undefined && (m.kind === 'audio' || m.kind === 'video') ? { duration: iso8601Duration(m.durationSec) } : {}),
  };
}

/**
 * The text servers show. An audio post carries its transcript (servers that play no audio still
 * show what was said): after the text, or alone when the text is empty or is the transcript.
 */
function contentText(post: Post): string {
  const transcripts = (post.attachments ?? []).filter((m) => m.kind === 'audio' && m.transcript?.trim()).map((m) => m.transcript!.trim());
  const text = post.text.trim();
  const parts = [text, ...transcripts.filter((t) => t !== text)].filter((p) => p.length > 0);
  return parts.join('\n\n');
}

/**
 * A reply tags its parent's author even when the text does not name them: Mastodon notifies of
 * replies through Mention tags only (its own replies always start with the @handle).
 */
function parentAuthorMention(refs: PostRefs, self: string): Array<{ uri: string; name: string }> {
  const parent = refs.inReplyTo;
  if (!parent?.author || !parent.authorName || parent.author === self || refs.mentions.some((m) => m.uri === parent.author)) return [];
  return [{ uri: parent.author, name: parent.authorName }];
}

/** Mastodon's fallback for servers that know no quotes; servers that do hide `.quote-inline`. */
const quoteInline = (uri: string) => `<p class="quote-inline">RE: ${linkHtml(uri)}</p>`;

function quoteProperties(uri: string, authorization: string | undefined) {
  return { quote: uri, quoteUrl: uri, quoteUri: uri, _misskey_quote: uri, ...(authorization ? { quoteAuthorization: authorization } : {}) };
}

export function noteObject(post: Post, username: string, u: Uris, refs: PostRefs = NO_REFS) {
  const rendered = renderText(contentText(post), u, refs.mentions);
  // One tag per hashtag, whatever its case (#Fedi and #fedi link to the same place).
  const byName = new Map<string, string>();
  for (const name of [...rendered.hashtags, ...(post.hashtags ?? [])]) if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), name);
  const quoteUri = refs.quote?.uri ?? (post.quoteOf ? refUri(post.quoteOf, u) : undefined);
  const audience = noteAudience(post, username, u, refs);
  const content = rendered.html + (quoteUri ? quoteInline(quoteUri) : '');
  const mentionTags = [...refs.mentions, ...parentAuthorMention(refs, u.actor(username))].map((m) => ({ type: 'Mention', href: m.uri, name: m.name }));
  const hashtagTags = [...byName.values()].map((name) => ({ type: 'Hashtag', href: u.tag(name), name: `#${name}` }));
  const quoteTags = quoteUri ? [{ type: 'Link', mediaType: AS_LINK_MEDIA_TYPE, href: quoteUri, name: `RE: ${quoteUri}` }] : [];
  return {
    '@context': NOTE_CONTEXT,
    id: u.post(post.id),
    type: 'Note',
    attributedTo: u.actor(username),
    content,
    ...(post.language ? { contentMap: { [post.language]: content } } : {}),
    published: new Date(post.createdAt).toISOString(),
    ...(post.updatedAt ? { updated: new Date(post.updatedAt).toISOString() } : {}),
    url: u.post(post.id),
    to: audience.to,
    cc: audience.cc,
    // A content warning always marks the post sensitive, as Mastodon does.
    sensitive: Boolean(post.sensitive) || Boolean(post.spoilerText),
    summary: post.spoilerText || null,
    inReplyTo: refs.inReplyTo?.uri ?? (post.inReplyTo ? refUri(post.inReplyTo, u) : null),
    ...(refs.conversation ? { conversation: refs.conversation, context: refs.conversation } : {}),
    ...(quoteUri ? quoteProperties(quoteUri, refs.quote?.authorization) : {}),
    attachment: (post.attachments ?? []).map(attachment),
    tag: [...mentionTags, ...hashtagTags, ...quoteTags],
  };
}

export type NoteObject = ReturnType<typeof noteObject>;

type NoteActivityKind = 'Create' | 'Update';

/** Create or Update wrapping a Note; the activity shares the Note's audience. */
export function noteActivity(kind: NoteActivityKind, note: NoteObject, eventId: string, u: Uris) {
  const { '@context': context, ...object } = note;
  return {
    '@context': context,
    id: u.activity(eventId, kind),
    type: kind,
    actor: note.attributedTo,
    published: kind === 'Create' ? note.published : (note.updated ?? new Date().toISOString()),
    to: note.to,
    cc: note.cc,
    object,
  };
}

/** Delete(Tombstone), addressed like the note it removes so every receiver accepts it. */
export function deleteActivity(postId: string, username: string, audience: Audience, eventId: string, u: Uris) {
  return {
    '@context': NOTE_CONTEXT,
    id: u.activity(eventId, 'Delete'),
    type: 'Delete',
    actor: u.actor(username),
    to: audience.to,
    cc: audience.cc,
    object: { id: u.post(postId), type: 'Tombstone', atomUri: u.post(postId) },
  };
}

export function tombstone(postId: string, u: Uris, deletedAt: string) {
  return { '@context': NOTE_CONTEXT, id: u.post(postId), type: 'Tombstone', deleted: deletedAt };
}

export function acceptFollow(localActor: string, follow: { id: string; actor: string; object: string }, acceptId: string) {
  return {
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: acceptId,
    type: 'Accept',
    actor: localActor,
    to: [follow.actor],
    object: { id: follow.id, type: 'Follow', actor: follow.actor, object: follow.object },
  };
}

// Platform post events → ActivityStreams Note and Create/Update/Delete activities (pure).
import type { Media, Post, Ref } from '../platform/event-schemas';
import { NOTE_CONTEXT, PUBLIC } from './contexts';
import { renderText } from './render';
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

function attachment(m: Media) {
  const type = m.kind === 'image' || m.kind === 'gif' ? 'Image' : m.kind === 'video' ? 'Video' : 'Document';
  return {
    type,
    mediaType: m.mediaType,
    url: m.url,
    name: m.alt ?? null,
    ...(m.width ? { width: m.width } : {}),
    ...(m.height ? { height: m.height } : {}),
    ...(m.blurhash ? { blurhash: m.blurhash } : {}),
  };
}

export function noteObject(post: Post, username: string, u: Uris) {
  const rendered = renderText(post.text, u);
  // One tag per hashtag, whatever its case (#Fedi and #fedi link to the same place).
  const byName = new Map<string, string>();
  for (const name of [...rendered.hashtags, ...(post.hashtags ?? [])]) if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), name);
  const tags = [...byName.values()];
  const audience = addressing(post.visibility, u.followers(username), []);
  const content = rendered.html;
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
    sensitive: post.sensitive ?? Boolean(post.spoilerText),
    summary: post.spoilerText || null,
    inReplyTo: post.inReplyTo ? refUri(post.inReplyTo, u) : null,
    attachment: (post.attachments ?? []).map(attachment),
    tag: tags.map((name) => ({ type: 'Hashtag', href: u.tag(name), name: `#${name}` })),
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

// Create/Update/Delete of Note-like objects → commands (pure). What a note means here (a reply in
// a local thread, a followed author's post, a mention, a quote) needs the store: the worker
// decides (services/federation/inbound-notes.ts); this reads what the note itself says.
import { type Json, type JsonObject, asArray, firstHttpId, firstId, hasType, idOf, isHttpUrl, isObject, sameOrigin, str, typeOf } from './as-read';
import { type Uris, localPostIdOf, localUsernameOf } from './uris';

export const NOTE_TYPES = ['Note', 'Article', 'Page', 'Question'] as const;

export interface NoteCommand {
  kind: 'note';
  verb: 'create' | 'update';
  actor: string;
  note: JsonObject;
  noteId: string;
  /** the local post the note answers directly */
  replyToPostId?: string;
  /** the note's direct parent when it is remote (it may itself sit in a local thread) */
  parentUri?: string;
  /** the local post the note quotes */
  quoteOfPostId?: string;
  /** local usernames its Mention tags name */
  mentioned: string[];
}

export interface DeleteNoteCommand {
  kind: 'delete-note';
  actor: string;
  noteId: string;
}

export type NoteResult = { ok: true; command: NoteCommand | DeleteNoteCommand } | { ok: false; reason: string; detail?: string };

const refuse = (reason: string, detail?: string): NoteResult => ({ ok: false, reason, ...(detail ? { detail } : {}) });

const AS2_LINK_TYPES = ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'application/ld+json'];
const QUOTE_PROPERTIES = ['quote', 'quoteUrl', 'quoteUri', '_misskey_quote'] as const;

/**
 * The URI a note quotes. FEP-044f `quote` first, then the older properties (Misskey's
 * `_misskey_quote` and `quoteUrl`, Fedibird's `quoteUri`), then an FEP-e232 object link marked
 * as a quote (Misskey's rel, or the "RE:"/"QT:" name the FEP's example and Mitra use): other
 * object links (to a ticket, say) are not quotes.
 */
export function quoteUriOf(note: JsonObject): string | undefined {
  for (const property of QUOTE_PROPERTIES) {
    const uri = firstHttpId(note[property]);
    if (uri) return uri;
  }
  for (const tag of asArray(note.tag)) {
    if (!isObject(tag) || typeOf(tag) !== 'Link') continue;
    const mediaType = (str(tag.mediaType) ?? '').replace(/\s+/g, ' ');
    const href = str(tag.href);
    if (!href || !isHttpUrl(href) || !AS2_LINK_TYPES.includes(mediaType)) continue;
    const rels = asArray(tag.rel).filter((r): r is string => typeof r === 'string');
    if (rels.some((r) => r.endsWith('_misskey_quote')) || /^\s*(RE|QT):/i.test(str(tag.name) ?? '')) return href;
  }
  return undefined;
}

/** Local usernames of a note's Mention tags. */
export function mentionedUsernames(note: JsonObject, u: Uris): string[] {
  const names = new Set<string>();
  for (const tag of asArray(note.tag)) {
    if (!isObject(tag) || typeOf(tag) !== 'Mention') continue;
    const href = str(tag.href);
    const username = href ? localUsernameOf(u, href) : undefined;
    if (username) names.add(username);
  }
  return [...names];
}

/** Create or Update of a note: the note must be embedded, the actor's own and on its server. */
export function translateNote(verb: 'create' | 'update', object: Json | undefined, actor: string, u: Uris): NoteResult {
  if (!isObject(object)) return refuse('object_not_embedded', `${verb === 'create' ? 'Create' : 'Update'} must embed its object`);
  if (!hasType(object, ...NOTE_TYPES)) return refuse('unsupported_object_type', String(typeOf(object)));
  const author = firstId(object.attributedTo);
  if (author !== actor) return refuse('attribution_mismatch', `object attributed to ${author ?? 'nobody'}`);
  const objectId = idOf(object);
  if (!objectId) return refuse('missing_object_id');
  if (!sameOrigin(objectId, actor)) return refuse('object_origin_mismatch', `object ${objectId} is not on the actor's server`);
  // A parent that is no URL is no reference (and would reach the platform as one).
  const parent = firstHttpId(object.inReplyTo);
  const replyToPostId = parent ? localPostIdOf(u, parent) : undefined;
  const quoted = quoteUriOf(object);
  const quoteOfPostId = quoted ? localPostIdOf(u, quoted) : undefined;
  return {
    ok: true,
    command: {
      kind: 'note',
      verb,
      actor,
      note: object,
      noteId: objectId,
      ...(replyToPostId ? { replyToPostId } : parent ? { parentUri: parent } : {}),
      ...(quoteOfPostId ? { quoteOfPostId } : {}),
      mentioned: mentionedUsernames(object, u),
    },
  };
}

/** Delete of a note, as a Tombstone, the note itself or a bare id (Mastodon, GoToSocial, Lemmy). */
export function translateDelete(object: Json | undefined, actor: string): NoteResult {
  const noteId = idOf(object);
  if (!noteId) return refuse('missing_object');
  // An actor deleting itself is an account deletion, not a note's.
  if (noteId === actor) return refuse('unsupported_type', 'Delete of an actor');
  if (isObject(object)) {
    if (object.type !== undefined && !hasType(object, 'Tombstone', ...NOTE_TYPES)) return refuse('unsupported_object_type', `Delete(${typeOf(object) ?? '?'})`);
    const author = firstId(object.attributedTo);
    if (author && author !== actor) return refuse('attribution_mismatch', `object attributed to ${author}`);
  }
  if (!sameOrigin(noteId, actor)) return refuse('object_origin_mismatch', `object ${noteId} is not on the actor's server`);
  return { ok: true, command: { kind: 'delete-note', actor, noteId } };
}

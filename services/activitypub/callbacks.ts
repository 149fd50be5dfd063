// Commands and remote documents → the platform's callback payloads (contract §2), pure.
import type { Media } from '../platform/event-schemas';
import { z } from 'zod';
import { type Json, type JsonObject, asArray, firstHttpId, hostOf, isHttpUrl, isObject, str, typeOf, urlOf } from './as-read';
import { quoteUriOf } from './inbound-notes';
import { htmlToText, sanitizeContent } from './sanitize';
import { type Uris, localPostIdOf, localUsernameOf } from './uris';

export interface RemoteActor {
  uri: string;
  handle: string;
  name: string;
  summaryHtml: string;
  avatarUrl?: string;
  url?: string;
  software?: string;
}

export interface CallbackEnvelope {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** `@user@host`, whatever a remote server calls its user: no spaces or `@` in the user part. */
export function remoteHandle(user: string | undefined, uri: string): string {
  const clean = (s: string | undefined) => (s ?? '').replace(/^@/, '').split('@')[0]!.replace(/\s+/g, '');
  const name = clean(user) || clean(uri.replace(/\/+$/, '').split('/').pop()) || 'unknown';
  return `@${name}@${hostOf(uri) ?? 'unknown'}`;
}

const RFC3339 = z.iso.datetime({ offset: true });

/** A date as the platform's schema takes it: RFC 3339 as sent, else any date Date reads, in UTC. */
export function rfc3339Of(v: Json | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (RFC3339.safeParse(v).success) return v;
  const ms = Date.parse(v);
  // Years past 9999 (or before 0) have no RFC 3339 form.
  const iso = Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
  return iso !== undefined && RFC3339.safeParse(iso).success ? iso : undefined;
}

export function remoteActorOf(doc: JsonObject, software?: string): RemoteActor {
  const uri = str(doc.id) ?? '';
  const username = str(doc.preferredUsername) ?? uri.split('/').pop() ?? 'unknown';
  const avatarUrl = isObject(doc.icon) ? urlOf(doc.icon.url) : urlOf(doc.icon);
  const url = urlOf(doc.url);
  return {
    uri,
    handle: remoteHandle(str(doc.preferredUsername), uri),
    name: str(doc.name) ?? username,
    summaryHtml: sanitizeContent(str(doc.summary) ?? ''),
    ...(avatarUrl ? { avatarUrl } : {}),
    ...(url ? { url } : {}),
    ...(software ? { software } : {}),
  };
}

// The bounds of the contract's Media (services/platform/event-schemas.ts): what is past them is left out.
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;
const MAX_URL = 2048;
const MAX_ALT = 5000;
const MAX_BLURHASH = 200;

function mediaOf(att: Json): Media | undefined {
  if (!isObject(att)) return undefined;
  const url = urlOf(att.url) ?? urlOf(att.href);
  if (!url || url.length > MAX_URL) return undefined;
  const given = str(att.mediaType)?.trim();
  const mediaType = given && MEDIA_TYPE.test(given) ? given : 'application/octet-stream';
  const major = mediaType.split('/')[0];
  const type = typeOf(att);
  const kind: Media['kind'] =
    mediaType === 'image/gif' ? 'gif' : major === 'video' || type === 'Video' ? 'video' : major === 'audio' || type === 'Audio' ? 'audio' : 'image';
  const num = (v: Json | undefined) => (typeof v === 'number' && Number.isSafeInteger(Math.round(v)) && Math.round(v) > 0 ? Math.round(v) : undefined);
  const width = num(att.width);
  const height = num(att.height);
  const hash = str(att.blurhash);
  const blurhash = hash !== undefined && hash.length <= MAX_BLURHASH ? hash : undefined;
  const alt = (str(att.name) ?? str(att.summary))?.slice(0, MAX_ALT);
  return { kind, url, mediaType, ...(alt ? { alt } : {}), ...(width ? { width } : {}), ...(height ? { height } : {}), ...(blurhash ? { blurhash } : {}) };
}

/** The first language key of contentMap, when the server says which language it wrote in. */
function languageOf(note: JsonObject): string | undefined {
  return isObject(note.contentMap) ? Object.keys(note.contentMap)[0] : undefined;
}

function contentOf(note: JsonObject): string {
  const content = str(note.content);
  if (content !== undefined) return content;
  if (isObject(note.contentMap)) return Object.values(note.contentMap).find((v): v is string => typeof v === 'string') ?? '';
  return '';
}

/** A mentioned remote actor as far as the Mention tag tells (no fetch). */
function mentionedActor(href: string, name: string | undefined): RemoteActor {
  const handle = remoteHandle(name, href);
  return { uri: href, handle, name: handle.slice(1).split('@')[0]!, summaryHtml: '' };
}

/** `localAccountIds` maps the usernames of local mentioned accounts to their platform ids. */
export function remotePostOf(note: JsonObject, author: RemoteActor, u: Uris, localAccountIds: ReadonlyMap<string, string> = new Map()) {
  const html = sanitizeContent(contentOf(note));
  const parent = firstHttpId(note.inReplyTo);
  const localParent = parent ? localPostIdOf(u, parent) : undefined;
  const quoted = quoteUriOf(note);
  const localQuoted = quoted ? localPostIdOf(u, quoted) : undefined;
  const tags = asArray(note.tag).filter(isObject);
  const mentions: Array<RemoteActor | { accountId: string }> = [];
  for (const t of tags.filter((t) => typeOf(t) === 'Mention')) {
    const href = str(t.href);
    if (!href || !isHttpUrl(href)) continue;
    const local = localUsernameOf(u, href);
    const accountId = local ? localAccountIds.get(local.toLowerCase()) : undefined;
    if (accountId) mentions.push({ accountId });
    else if (!local) mentions.push(mentionedActor(href, str(t.name)));
  }
  const language = languageOf(note);
  const spoiler = str(note.summary);
  const url = urlOf(note.url);
  const updatedAt = rfc3339Of(note.updated);
  return {
    uri: str(note.id) ?? '',
    ...(url ? { url } : {}),
    author,
    contentHtml: html,
    text: htmlToText(html),
    ...(language ? { language } : {}),
    sensitive: note.sensitive === true,
    ...(spoiler ? { spoilerText: spoiler } : {}),
    attachments: asArray(note.attachment).map(mediaOf).filter((m): m is Media => !!m),
    ...(parent ? { inReplyTo: localParent ? { postId: localParent } : { uri: parent } } : {}),
    ...(quoted ? { quoteOf: localQuoted ? { postId: localQuoted } : { uri: quoted } } : {}),
    mentions,
    hashtags: tags.filter((t) => typeOf(t) === 'Hashtag').map((t) => (str(t.name) ?? '').replace(/^#/, '')).filter(Boolean),
    publishedAt: rfc3339Of(note.published) ?? new Date(0).toISOString(),
    ...(updatedAt ? { updatedAt } : {}),
  };
}

export type RemotePost = ReturnType<typeof remotePostOf>;

/** Callback ids derive from what caused them, so a retried inbox job mints the same id. */
export function callbackEnvelope(type: string, causeId: string, data: Record<string, unknown>, occurredAt = new Date()): CallbackEnvelope {
  return { id: `${type}:${causeId}`, type, occurredAt: occurredAt.toISOString(), data };
}

// Pure helpers of the Fedify peer: addressing by visibility, and the view of the notes it saw
// from others (folded from the log of received activities).  No IO here.

export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
export const VISIBILITIES = ['public', 'unlisted', 'followers', 'direct'];

export function idOf(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof value.id === 'string') return value.id;
  return undefined;
}

export function asArray(value) {
  if (value == null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Fedify's compact JSON-LD abbreviates the Public collection; tests compare full URIs. */
function expandPublic(uri) {
  return uri === 'as:Public' || uri === 'Public' ? PUBLIC : uri;
}

export function audienceIds(value) {
  return asArray(value).map(idOf).filter((v) => v != null).map(expandPublic);
}

/**
 * to/cc of a post, the way Mastodon addresses each visibility.  `direct` are actors addressed
 * by name (in `to`), `mentioned` are Mention-tagged actors (in `cc`, or `to` when direct),
 * `extraCc` are actors told about the post without being addressed by name (a quoted author).
 * All arguments are URI strings.
 */
export function audienceFor(visibility, { followersUri, direct = [], mentioned = [], extraCc = [] }) {
  const uniq = (list) => [...new Set(list)];
  switch (visibility) {
    case 'public':
      return { to: uniq([PUBLIC, ...direct]), cc: uniq([followersUri, ...mentioned, ...extraCc]) };
    case 'unlisted':
      return { to: uniq([followersUri, ...direct]), cc: uniq([PUBLIC, ...mentioned, ...extraCc]) };
    case 'followers':
      return { to: uniq([followersUri, ...direct]), cc: uniq([...mentioned, ...extraCc]) };
    case 'direct':
      return { to: uniq([...direct, ...mentioned]), cc: uniq(extraCc) };
    default:
      throw new Error(`unknown visibility ${visibility}`);
  }
}

const NOTE_LIKE = new Set(['Note', 'Article', 'Question', 'Page', 'Image', 'Video', 'Audio', 'Event', 'ChatMessage']);

/** The embedded object of a received entry: the JSON as POSTed when known, else Fedify's. */
function embeddedObject(entry) {
  const wire = entry.wire?.object;
  if (wire && typeof wire === 'object' && !Array.isArray(wire)) return wire;
  const raw = entry.raw?.object;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw;
  return null;
}

function noteFields(object) {
  return {
    type: object.type ?? null,
    attributedTo: idOf(asArray(object.attributedTo)[0]) ?? null,
    content: object.content ?? null,
    summary: object.summary ?? null,
    sensitive: object.sensitive ?? null,
    inReplyTo: idOf(object.inReplyTo) ?? null,
    to: audienceIds(object.to),
    cc: audienceIds(object.cc),
    tag: asArray(object.tag),
    // FEP-044f `quote`, the Misskey/Fedibird/AS compat properties, each as sent.
    quote: idOf(object.quote) ?? null,
    quoteUrl: idOf(object.quoteUrl) ?? null,
    misskeyQuote: idOf(object._misskey_quote) ?? null,
    quoteUri: idOf(object.quoteUri) ?? null,
    published: object.published ?? null,
    updated: object.updated ?? null,
    url: object.url ?? null,
  };
}

/**
 * What the peer knows of others' posts, from the received log (oldest first):
 *   notes:    one per object id, the latest Create/Update version, `deleted` after a Delete
 *   announces: every Announce, `undone` after its Undo
 */
export function seenNotes(received) {
  const notes = new Map();
  const announces = new Map();
  const blank = (id) => ({ id, ...noteFields({}), object: null, createdBy: null, updatedBy: [], deleted: false, deletedBy: null });
  for (const entry of received) {
    if (entry.type === 'Create' || entry.type === 'Update') {
      const object = embeddedObject(entry);
      if (object == null || !NOTE_LIKE.has(object.type) || typeof object.id !== 'string') continue;
      const prev = notes.get(object.id) ?? blank(object.id);
      notes.set(object.id, {
        ...prev,
        ...noteFields(object),
        object,
        createdBy: entry.type === 'Create' ? entry.id : prev.createdBy,
        updatedBy: entry.type === 'Update' ? [...prev.updatedBy, entry.id] : prev.updatedBy,
        actor: entry.actor,
      });
    } else if (entry.type === 'Delete') {
      const id = entry.objectId;
      if (id == null || id === entry.actor) continue; // Delete(actor): see deletedActors
      const prev = notes.get(id) ?? { ...blank(id), actor: entry.actor };
      notes.set(id, { ...prev, deleted: true, deletedBy: entry.id });
    } else if (entry.type === 'Announce') {
      const source = entry.wire ?? entry.raw ?? {};
      announces.set(entry.id, {
        id: entry.id,
        actor: entry.actor,
        object: entry.objectId ?? null,
        to: audienceIds(source.to),
        cc: audienceIds(source.cc),
        published: source.published ?? null,
        undone: false,
      });
    } else if (entry.type === 'Undo' && (entry.objectType ?? 'Announce') === 'Announce' && announces.has(entry.objectId)) {
      announces.get(entry.objectId).undone = true;
    }
  }
  return { notes: [...notes.values()], announces: [...announces.values()] };
}

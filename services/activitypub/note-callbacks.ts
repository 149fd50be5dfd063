// A remote note's roles here → the platform callbacks they become (pure). Roles:
//   reply   — in a local post's thread (at any depth): fediverse.reply.*, the root's owner
//   quote   — quotes a local post: fediverse.quote.*, the quoted post's owner
// (a followers-only or direct note is a reply or quote only for an owner in its audience)
//   mention — names local accounts: fediverse.mention.*, those not already told by reply/quote
//   post    — by an actor local accounts follow, to its public or followers: fediverse.post.*
// Callback ids derive from the note (created, deleted) or the Update activity (updated), so
// retries mint the same ids; the platform stores a remote post once, by its uri.
import { type Json, type JsonObject, ids, str } from './as-read';
import { type CallbackEnvelope, type RemoteActor, type RemotePost, callbackEnvelope } from './callbacks';
import { PUBLIC } from './contexts';
import { type Uris, localUsernameOf } from './uris';

export const NOTE_ROLES = ['reply', 'post', 'mention', 'quote'] as const;
export type NoteRole = (typeof NOTE_ROLES)[number];
/** role → local account ids the platform is told of it for */
export type NoteRoles = Partial<Record<NoteRole, string[]>>;

const PUBLIC_FORMS = new Set([PUBLIC, 'as:Public', 'Public']);

const audienceOf = (note: JsonObject, ...fields: string[]) => fields.flatMap((f) => ids(note[f] as Json | undefined));

/** Whether the note is addressed to everyone or to its author's followers (not a direct message). */
export function reachesFollowers(note: JsonObject, authorFollowers: string | undefined): boolean {
  return audienceOf(note, 'to', 'cc', 'audience').some((a) => PUBLIC_FORMS.has(a) || (authorFollowers !== undefined && a === authorFollowers));
}

export type RemoteVisibility = 'public' | 'unlisted' | 'followers' | 'direct';

/** Local usernames (lower-cased) the note addresses by actor URI, blind copies included. */
export function addressedUsernames(note: JsonObject, u: Uris): Set<string> {
  const names = new Set<string>();
  for (const uri of audienceOf(note, 'to', 'cc', 'bto', 'bcc', 'audience')) {
    const username = localUsernameOf(u, uri);
    if (username) names.add(username.toLowerCase());
  }
  return names;
}

/** Mastodon's reading of the addressing, so the platform never shows a direct message to all. */
export function visibilityOf(note: JsonObject, authorFollowers: string | undefined): RemoteVisibility {
  if (audienceOf(note, 'to').some((a) => PUBLIC_FORMS.has(a))) return 'public';
  if (audienceOf(note, 'cc', 'audience').some((a) => PUBLIC_FORMS.has(a))) return 'unlisted';
  return reachesFollowers(note, authorFollowers) ? 'followers' : 'direct';
}

export interface Placement {
  /** the local post at the top of the note's thread */
  root?: string;
  /** the note's direct parent, when remote */
  parentUri?: string;
  /** the author's followers collection */
  authorFollowers?: string;
}

/**
 * The post as the platform gets it: with its visibility, and, for a reply deep in a local
 * thread, the local root as inReplyTo and the direct parent as parentUri.
 */
export function placeNote(post: RemotePost, note: JsonObject, p: Placement): RemotePost & { visibility: RemoteVisibility; parentUri?: string } {
  const visibility = visibilityOf(note, p.authorFollowers);
  return p.root && p.parentUri ? { ...post, inReplyTo: { postId: p.root }, parentUri: p.parentUri, visibility } : { ...post, visibility };
}

/** The note's version: edits carry `updated`; an unparseable or missing date is 0. */
export function noteVersion(note: JsonObject): number {
  const t = Date.parse(str(note.updated) ?? str(note.published) ?? '');
  return Number.isFinite(t) ? t : 0;
}

export interface RoleFacts {
  /** owner of the live local post at the top of the note's thread */
  rootOwner?: string;
  /** owner of the live local post it quotes */
  quotedOwner?: string;
  /** enabled local accounts its Mention tags name */
  mentioned: string[];
  /** local accounts whose follow of the author was accepted, when the note reaches followers */
  followers: string[];
  /** who may see the note (visibilityOf) */
  visibility: RemoteVisibility;
  /** local accounts the note addresses by actor URI (only the post owners need be listed) */
  addressed: string[];
}

/**
 * Whether an account is in the note's audience: anyone for a public or unlisted note; else only
 * those it addresses or mentions, and, when it goes to the author's followers, those.
 */
function inAudience(f: RoleFacts, accountId: string): boolean {
  if (f.visibility === 'public' || f.visibility === 'unlisted') return true;
  return f.addressed.includes(accountId) || f.mentioned.includes(accountId) || (f.visibility === 'followers' && f.followers.includes(accountId));
}

const sorted = (a: Iterable<string>) => [...new Set(a)].sort();

export function rolesOf(f: RoleFacts): NoteRoles {
  const roles: NoteRoles = {};
  // A reply or quote the post's owner may not see is not passed on to them as one.
  const rootOwner = f.rootOwner && inAudience(f, f.rootOwner) ? f.rootOwner : undefined;
  const quotedOwner = f.quotedOwner && inAudience(f, f.quotedOwner) ? f.quotedOwner : undefined;
  if (rootOwner) roles.reply = [rootOwner];
  if (quotedOwner) roles.quote = [quotedOwner];
  // One notification per account: a reply or quote already tells the post's owner.
  const told = new Set([rootOwner, quotedOwner]);
  const mentioned = sorted(f.mentioned.filter((id) => !told.has(id)));
  if (mentioned.length) roles.mention = mentioned;
  if (f.followers.length) roles.post = sorted(f.followers);
  return roles;
}

/**
 * What is recorded of the roles: the accounts told, except for `post`, whose audience (every
 * local follower of the author) can be thousands of ids per note, kept a year. An empty list
 * marks it; its Update and Delete go to the author's local followers at that time.
 */
export function recordedRoles(roles: NoteRoles): NoteRoles {
  return roles.post ? { ...roles, post: [] } : roles;
}

/** Roles already passed on, widened by the current ones (accounts told once stay told). */
export function mergeRoles(recorded: NoteRoles, current: NoteRoles): NoteRoles {
  const roles: NoteRoles = {};
  for (const role of NOTE_ROLES) if (recorded[role] || current[role]) roles[role] = sorted([...(recorded[role] ?? []), ...(current[role] ?? [])]);
  return roles;
}

/** The roles without these accounts (those blocking the author keep what they had, hear no more). */
export function withoutAccounts(roles: NoteRoles, accountIds: ReadonlySet<string>): NoteRoles {
  if (!accountIds.size) return roles;
  const kept: NoteRoles = {};
  for (const role of NOTE_ROLES) if (roles[role]) kept[role] = roles[role].filter((id) => !accountIds.has(id));
  return kept;
}

export interface NoteChange {
  verb: 'create' | 'update';
  /** id of the Create/Update (or the hash standing for it) */
  activityId: string;
  post: RemotePost;
  roles: NoteRoles;
  /** roles the platform already had the note for */
  recorded: NoteRoles;
  when: Date;
  /** the content policy rule that changed the post, said in each callback */
  policy?: { rule: string; action: string };
}

/**
 * One callback per role. An Update of a note passed on before updates it; one the platform never
 * had for that role creates it (its Create may still be queued behind it, or the edit only now
 * concerns someone here, e.g. a mention added).
 */
export function noteCallbacks(c: NoteChange): CallbackEnvelope[] {
  return NOTE_ROLES.filter((role) => c.roles[role]?.length).map((role) => {
    const updated = c.verb === 'update' && c.recorded[role] !== undefined;
    const cause = updated ? `${c.post.uri}#update:${c.activityId}` : c.post.uri;
    return callbackEnvelope(`fediverse.${role}.${updated ? 'updated' : 'created'}`, cause, { post: c.post, accountIds: c.roles[role]!, ...(c.policy ? { policy: c.policy } : {}) }, c.when);
  });
}

/** The deleted note as far as the gateway knows it: its uri, author and thread. */
export function deletedNoteCallbacks(uri: string, author: RemoteActor, root: string | undefined, roles: NoteRoles, when: Date): CallbackEnvelope[] {
  const post = { uri, author, ...(root ? { inReplyTo: { postId: root } } : {}) };
  return NOTE_ROLES.filter((role) => roles[role]?.length).map((role) => callbackEnvelope(`fediverse.${role}.deleted`, uri, { post, accountIds: roles[role]! }, when));
}

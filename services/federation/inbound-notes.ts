// Carries out Create/Update/Delete of remote notes. A note can matter here in several ways at
// once, each a role with its own callback and the local accounts it concerns:
//   reply   — in a local post's thread (at any depth): fediverse.reply.*, the root's owner
//   quote   — quotes a local post: fediverse.quote.*, the quoted post's owner
//   mention — names local accounts: fediverse.mention.*, those not already told by reply/quote
//   post    — by an actor local accounts follow, to its public or followers: fediverse.post.*
// Callback ids derive from the note (created, deleted) or the Update activity (updated), so
// retries mint the same ids; the platform stores a remote post once, by its uri.
import { type Json, type JsonObject, ids, str } from '../activitypub/as-read';
import { type RemotePost, callbackEnvelope, remotePostOf } from '../activitypub/callbacks';
import { PUBLIC } from '../activitypub/contexts';
import type { DeleteNoteCommand, NoteCommand } from '../activitypub/inbound-notes';
import type { Gateway } from '../gateway';
import { NOTE_ROLES, type NoteRole, type NoteRoles } from '../store/remote-notes';
import { enqueueCallback } from './enqueue';
import { remoteActor, remoteActorOrBare } from './remote-actors';

export type NoteOutcome = { outcome: 'applied'; kind: 'note' | 'delete-note' } | { outcome: 'ignored'; reason: string };

const ignored = (reason: string): NoteOutcome => ({ outcome: 'ignored', reason });

const PUBLIC_FORMS = new Set([PUBLIC, 'as:Public', 'Public']);

/** Whether the note is addressed to everyone or to its author's followers (not a direct message). */
function reachesFollowers(note: JsonObject, authorDoc: JsonObject): boolean {
  const followers = str(authorDoc.followers);
  const audience = [...ids(note.to as Json | undefined), ...ids(note.cc as Json | undefined), ...ids(note.audience as Json | undefined)];
  return audience.some((a) => PUBLIC_FORMS.has(a) || (followers !== undefined && a === followers));
}

/** The note's version: edits carry `updated`; an unparseable or missing date is 0. */
function versionOf(note: JsonObject): number {
  const t = Date.parse(str(note.updated) ?? str(note.published) ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** A local post the note may refer to: only live, federated posts count. */
async function livePostOwner(g: Gateway, postId: string): Promise<string | undefined> {
  const post = await g.posts.get(postId);
  return post && post.state === 'live' && post.federated ? post.accountId : undefined;
}

interface Classified {
  roles: NoteRoles;
  root?: string;
  /** platform ids of the mentioned local usernames (lower-cased) */
  localIds: Map<string, string>;
}

async function classify(g: Gateway, cmd: NoteCommand, authorDoc: JsonObject): Promise<Classified> {
  const roles: NoteRoles = {};
  // The thread's root: the local post answered directly, or the root a remote parent is under.
  let root = cmd.replyToPostId;
  if (!root && cmd.parentUri) {
    const parent = await g.remoteNotes.get(cmd.parentUri);
    if (parent?.root) root = parent.root;
  }
  const rootOwner = root ? await livePostOwner(g, root) : undefined;
  if (root && rootOwner) roles.reply = [rootOwner];
  const quotedOwner = cmd.quoteOfPostId ? await livePostOwner(g, cmd.quoteOfPostId) : undefined;
  if (quotedOwner) roles.quote = [quotedOwner];
  const localIds = new Map<string, string>();
  for (const username of cmd.mentioned) {
    const stored = await g.accounts.getByUsername(username);
    if (stored?.state === 'enabled') localIds.set(username.toLowerCase(), stored.account.id);
  }
  // One notification per account: a reply or quote already tells the post's owner.
  const told = new Set([...(roles.reply ?? []), ...(roles.quote ?? [])]);
  const mentioned = [...new Set(localIds.values())].filter((id) => !told.has(id));
  if (mentioned.length) roles.mention = mentioned;
  if (reachesFollowers(cmd.note, authorDoc)) {
    const followers = await g.following.localFollowersOf(cmd.actor);
    if (followers.length) roles.post = followers.sort();
  }
  return { roles, ...(roles.reply && root ? { root } : {}), localIds };
}

const union = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])].sort();

export async function onNote(g: Gateway, cmd: NoteCommand, activityId: string, receivedAt: string): Promise<NoteOutcome> {
  const uri = str(cmd.note.id)!;
  const known = await g.remoteNotes.get(uri);
  if (known?.deletedBy === cmd.actor) return ignored('note_deleted');
  if (known?.author && known.author !== cmd.actor) return ignored('not_author');
  const version = versionOf(cmd.note);
  if (known && version < known.version) return ignored('stale_note');
  const { doc, actor } = await remoteActor(g, cmd.actor);
  const current = await classify(g, cmd, doc);
  const recorded = known?.roles ?? {};
  const roles: NoteRoles = {};
  for (const role of NOTE_ROLES) if (current.roles[role] || recorded[role]) roles[role] = union(recorded[role], current.roles[role]);
  if (!Object.keys(roles).length) return ignored('not_addressed_to_local');
  const root = current.root ?? known?.root;
  // Recorded first: a retry after a crash finds the same version and sends the same callbacks.
  const saved = await g.remoteNotes.save(uri, { author: cmd.actor, ...(root ? { root } : {}), roles, version });
  if (saved !== 'ok') return ignored(saved === 'stale' ? 'stale_note' : 'note_deleted');

  let post: RemotePost & { parentUri?: string } = remotePostOf(cmd.note, actor, g.uris, current.localIds);
  // Deep replies name the local root the platform knows, and their direct parent beside it.
  if (root && cmd.parentUri) post = { ...post, inReplyTo: { postId: root }, parentUri: cmd.parentUri };
  const when = new Date(receivedAt);
  for (const role of NOTE_ROLES) {
    if (!roles[role]) continue;
    // An Update of a note passed on before updates it; one the platform never had creates it
    // (the Create may still be queued behind it, or the note only now concerns someone here).
    const verb = cmd.verb === 'update' && recorded[role] ? 'updated' : 'created';
    const cause = verb === 'updated' ? `${uri}#update:${activityId}` : uri;
    await enqueueCallback(g, callbackEnvelope(`fediverse.${role}.${verb}`, cause, { post, accountIds: roles[role] }, when));
  }
  return { outcome: 'applied', kind: 'note' };
}

export async function onDeleteNote(g: Gateway, cmd: DeleteNoteCommand, receivedAt: string): Promise<NoteOutcome> {
  const known = await g.remoteNotes.get(cmd.noteId);
  if (known?.author && known.author !== cmd.actor) return ignored('not_author');
  // Marked first, whatever is known: a Create of it processed later is not applied.
  await g.remoteNotes.markDeleted(cmd.noteId, cmd.actor);
  const roles = (Object.keys(known?.roles ?? {}) as NoteRole[]).filter((r) => known?.roles[r]?.length);
  if (!known || !roles.length) return ignored('unknown_note');
  const author = await remoteActorOrBare(g, cmd.actor);
  const post = { uri: cmd.noteId, author, ...(known.root ? { inReplyTo: { postId: known.root } } : {}) };
  for (const role of NOTE_ROLES) {
    const accountIds = known.roles[role];
    if (accountIds?.length) await enqueueCallback(g, callbackEnvelope(`fediverse.${role}.deleted`, cmd.noteId, { post, accountIds }, new Date(receivedAt)));
  }
  return { outcome: 'applied', kind: 'delete-note' };
}

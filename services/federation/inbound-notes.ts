// Carries out Create/Update/Delete of remote notes: what the note is to whom here (roles, see
// activitypub/note-callbacks.ts), recorded per note so Updates and Deletes by id can be mapped
// and one processed before its Create does not resurrect the note.
import { type JsonObject, str } from '../activitypub/as-read';
import { remotePostOf } from '../activitypub/callbacks';
import type { DeleteNoteCommand, NoteCommand } from '../activitypub/inbound-notes';
import { NOTE_ROLES, type NoteRoles, addressedUsernames, deletedNoteCallbacks, mergeRoles, noteCallbacks, noteVersion, placeNote, reachesFollowers, recordedRoles, rolesOf, visibilityOf, withoutAccounts } from '../activitypub/note-callbacks';
import type { Gateway } from '../gateway';
import { enqueueCallback } from './enqueue';
import { remoteActor, remoteActorOrBare } from './remote-actors';
import { enabledPostOwner } from './live-post-owner';
import { applyVerdict, policyInputOf } from '../moderation/content-policy';

export type NoteOutcome = { outcome: 'applied'; kind: 'note' | 'delete-note' } | { outcome: 'ignored'; reason: string };

const ignored = (reason: string): NoteOutcome => ({ outcome: 'ignored', reason });

/** Those of these accounts that block the actor. */
async function blockersAmong(g: Gateway, accountIds: Iterable<string>, actor: string): Promise<Set<string>> {
  // One read of the actor's blockers (few), not one per account the note concerns (many followers).
  const blockers = await g.blocks.blockersOf(actor);
  return new Set([...accountIds].filter((id) => blockers.has(id)));
}

/** Whether the note addresses this local account by its actor URI. */
async function addresses(g: Gateway, names: Set<string>, accountId: string): Promise<boolean> {
  const username = names.size ? (await g.accounts.get(accountId))?.account.username : undefined;
  return username !== undefined && names.has(username.toLowerCase());
}

interface Classified {
  roles: NoteRoles;
  /** the local post at the top of the note's thread */
  root?: string;
  /** platform ids of the mentioned local usernames (lower-cased) */
  localIds: Map<string, string>;
  /** accounts here (of those the note concerns, or was passed on to) that block its author */
  blockers: Set<string>;
}

async function classify(g: Gateway, cmd: NoteCommand, authorDoc: JsonObject, recorded: NoteRoles): Promise<Classified> {
  // The thread's root: the local post answered directly, or the root a remote parent is under.
  const root = cmd.replyToPostId ?? (cmd.parentUri ? (await g.remoteNotes.get(cmd.parentUri))?.root : undefined);
  const rootOwner = root ? await enabledPostOwner(g, root) : undefined;
  const quotedOwner = cmd.quoteOfPostId ? await enabledPostOwner(g, cmd.quoteOfPostId) : undefined;
  const localIds = new Map<string, string>();
  for (const username of cmd.mentioned) {
    const stored = await g.accounts.getByUsername(username);
    if (stored?.state === 'enabled') localIds.set(username.toLowerCase(), stored.account.id);
  }
  const authorFollowers = str(authorDoc.followers);
  const followers = reachesFollowers(cmd.note, authorFollowers) ? await g.following.localFollowersOf(cmd.actor) : [];
  // Per role, whatever reaches the account: the thread's root, the quote, a mention, a follow.
  const owners = [rootOwner, quotedOwner].filter((id): id is string => id !== undefined);
  const blockers = await blockersAmong(g, [...owners, ...localIds.values(), ...followers, ...Object.values(recorded).flat()], cmd.actor);
  const unblocked = (ids: string[]) => ids.filter((id) => !blockers.has(id));
  const visibility = visibilityOf(cmd.note, authorFollowers);
  // Whom a non-public note addresses matters only to its reply and quote roles (rolesOf).
  const names = visibility === 'followers' || visibility === 'direct' ? addressedUsernames(cmd.note, g.uris) : new Set<string>();
  const addressed: string[] = [];
  for (const id of owners) if (await addresses(g, names, id)) addressed.push(id);
  const facts = {
    ...(rootOwner && !blockers.has(rootOwner) ? { rootOwner } : {}),
    ...(quotedOwner && !blockers.has(quotedOwner) ? { quotedOwner } : {}),
    mentioned: unblocked([...localIds.values()]),
    followers: unblocked(followers),
    visibility,
    addressed,
  };
  return { roles: rolesOf(facts), ...(rootOwner ? { root } : {}), localIds, blockers };
}

const hasAccounts = (roles: NoteRoles) => Object.values(roles).some((ids) => ids.length > 0);

export async function onNote(g: Gateway, cmd: NoteCommand, activityId: string, receivedAt: string): Promise<NoteOutcome> {
  const uri = cmd.noteId;
  const known = await g.remoteNotes.get(uri);
  if (known?.deletedBy === cmd.actor) return ignored('note_deleted');
  if (known?.author && known.author !== cmd.actor) return ignored('not_author');
  const version = noteVersion(cmd.note);
  if (known && version < known.version) return ignored('stale_note');
  const { doc, actor } = await remoteActor(g, cmd.actor);
  const recorded = known?.roles ?? {};
  const current = await classify(g, cmd, doc, recorded);
  const merged = mergeRoles(recorded, current.roles);
  if (!Object.keys(merged).length) return ignored(current.blockers.size ? 'blocked_actor' : 'not_addressed_to_local');
  // Those blocking the author hear no more of it; a Delete still reaches those who had it.
  const roles = withoutAccounts(merged, current.blockers);
  if (current.blockers.size && !hasAccounts(roles)) return ignored('blocked_actor');
  // Recorded first, with the roles the note had before this activity: a retry of it (a crash
  // after saving) decides created/updated from those, so it sends the callbacks (ids and types)
  // the first attempt meant to.
  const retry = known?.lastActivityId === activityId;
  const priorRoles = retry ? (known.priorRoles ?? []) : NOTE_ROLES.filter((role) => recorded[role]);
  const before = Object.fromEntries(priorRoles.map((role) => [role, recorded[role] ?? []])) as NoteRoles;
  const root = current.root ?? known?.root;
  // --- moderation: the operator's content policy, before anything is recorded or sent ---
  const remotePost = remotePostOf(cmd.note, actor, g.uris, current.localIds);
  const verdict = g.contentPolicy.evaluate(policyInputOf(remotePost));
  g.metrics.contentPolicy.inc({ rule: verdict.action === 'pass' ? '' : verdict.rule, action: verdict.action });
  if (verdict.action === 'drop') return ignored('content_policy');
  const saved = await g.remoteNotes.save(uri, { author: cmd.actor, ...(root ? { root } : {}), roles: recordedRoles(merged), version, activityId, priorRoles });
  if (saved !== 'ok') return ignored(saved === 'stale' ? 'stale_note' : 'note_deleted');
  const followers = str(doc.followers);
  const placed = placeNote(remotePost, cmd.note, { ...(root ? { root } : {}), ...(cmd.parentUri ? { parentUri: cmd.parentUri } : {}), ...(followers ? { authorFollowers: followers } : {}) });
  const { post, policy } = applyVerdict(placed, verdict);
  for (const callback of noteCallbacks({ verb: cmd.verb, activityId, post, roles, recorded: before, when: new Date(receivedAt), ...(policy ? { policy } : {}) })) await enqueueCallback(g, callback);
  return { outcome: 'applied', kind: 'note' };
}

export async function onDeleteNote(g: Gateway, cmd: DeleteNoteCommand, receivedAt: string): Promise<NoteOutcome> {
  const known = await g.remoteNotes.get(cmd.noteId);
  if (known?.author && known.author !== cmd.actor) return ignored('not_author');
  // Marked first, whatever is known: a Create or Update of it processed later is not applied.
  await g.remoteNotes.markDeleted(cmd.noteId, cmd.actor, known?.author !== undefined);
  if (!known) return ignored('unknown_note');
  // The post role's audience is not recorded (recordedRoles): it is the author's followers now.
  const roles = known.roles.post ? { ...known.roles, post: await g.following.localFollowersOf(cmd.actor) } : known.roles;
  const callbacks = deletedNoteCallbacks(cmd.noteId, await remoteActorOrBare(g, cmd.actor), known.root, roles, new Date(receivedAt));
  if (!callbacks.length) return ignored('unknown_note');
  for (const callback of callbacks) await enqueueCallback(g, callback);
  return { outcome: 'applied', kind: 'delete-note' };
}

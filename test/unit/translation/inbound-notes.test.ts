// Remote notes: Create/Update/Delete → commands, and a note's roles here → callbacks (pure).
import type { JsonObject } from '../../../services/activitypub/as-read';
import { remoteActorOf, remotePostOf } from '../../../services/activitypub/callbacks';
import { translateInbound } from '../../../services/activitypub/inbound';
import { type NoteCommand, quoteUriOf } from '../../../services/activitypub/inbound-notes';
import { addressedUsernames, deletedNoteCallbacks, mergeRoles, noteCallbacks, noteVersion, placeNote, reachesFollowers, recordedRoles, rolesOf, visibilityOf, withoutAccounts } from '../../../services/activitypub/note-callbacks';
import { uris } from '../../../services/activitypub/uris';
import * as f from './fixtures/notes';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const when = new Date('2026-11-02T13:00:00Z');
// The audience facts of a public note: everyone may see it.
const PUBLIC_NOTE = { visibility: 'public' as const, addressed: [] };
const actorOf = (uri: string, name: string) => remoteActorOf({ id: uri, type: 'Person', preferredUsername: name, name: name.toUpperCase(), summary: '', inbox: `${uri}/inbox`, followers: `${uri}/followers` });

function noteCommand(activity: JsonObject, signer: string): NoteCommand {
  const r = translateInbound(activity, signer, u);
  if (!r.ok || r.command.kind !== 'note') throw new Error(`not a note command: ${JSON.stringify(r)}`);
  return r.command;
}

test('Mastodon: a followed account\'s public post becomes post.created for its local followers', () => {
  const cmd = noteCommand(f.mastodonPost, f.mastodonBob);
  expect(cmd).toMatchObject({ verb: 'create', mentioned: [] });
  expect(cmd).not.toHaveProperty('replyToPostId');
  expect(reachesFollowers(cmd.note, `${f.mastodonBob}/followers`)).toBe(true);
  const roles = rolesOf({ mentioned: [], followers: ['acc-zed', 'acc-alice', 'acc-alice'], ...PUBLIC_NOTE });
  const post = placeNote(remotePostOf(cmd.note, actorOf(f.mastodonBob, 'bob'), u), cmd.note, { authorFollowers: `${f.mastodonBob}/followers` });
  expectGolden('note-followed-post-created', noteCallbacks({ verb: 'create', activityId: String(f.mastodonPost.id), post, roles, recorded: {}, when }));
});

test('Mastodon: an edit of a post passed on before is post.updated, with an id per Update', () => {
  const cmd = noteCommand(f.mastodonEdit, f.mastodonBob);
  expect(cmd.verb).toBe('update');
  expect(noteVersion(cmd.note)).toBeGreaterThan(noteVersion((f.mastodonPost.object as JsonObject)));
  const recorded = { post: ['acc-alice'] };
  const roles = mergeRoles(recorded, rolesOf({ mentioned: [], followers: ['acc-alice', 'acc-new'], ...PUBLIC_NOTE }));
  const post = placeNote(remotePostOf(cmd.note, actorOf(f.mastodonBob, 'bob'), u), cmd.note, { authorFollowers: `${f.mastodonBob}/followers` });
  expectGolden('note-followed-post-updated', noteCallbacks({ verb: 'update', activityId: String(f.mastodonEdit.id), post, roles, recorded, when }));
});

test('a direct message from a followed account is not a post for its followers', () => {
  const cmd = noteCommand(f.mastodonDirect, f.mastodonBob);
  expect(reachesFollowers(cmd.note, `${f.mastodonBob}/followers`)).toBe(false);
  expect(visibilityOf(cmd.note, `${f.mastodonBob}/followers`)).toBe('direct');
  expect(visibilityOf({ to: [`${f.mastodonBob}/followers`], cc: [f.PUBLIC] }, `${f.mastodonBob}/followers`)).toBe('unlisted');
  // Followers-only posts do reach them (and "as:Public" is Public).
  expect(reachesFollowers({ to: `${f.mastodonBob}/followers` }, `${f.mastodonBob}/followers`)).toBe(true);
  expect(reachesFollowers({ cc: ['as:Public'] }, undefined)).toBe(true);
});

test('Misskey: a quote of a local post becomes quote.created with quoteOf {postId}', () => {
  const cmd = noteCommand(f.misskeyQuote, f.misskeyMio);
  expect(cmd).toMatchObject({ quoteOfPostId: 'p1', mentioned: [] });
  const post = placeNote(remotePostOf(cmd.note, actorOf(f.misskeyMio, 'mio'), u), cmd.note, {});
  expect(post.quoteOf).toEqual({ postId: 'p1' });
  const roles = rolesOf({ quotedOwner: 'acc-alice', mentioned: [], followers: [], ...PUBLIC_NOTE });
  expectGolden('note-quote-created', noteCallbacks({ verb: 'create', activityId: String(f.misskeyQuote.id), post, roles, recorded: {}, when }));
});

test.each([
  ['FEP-044f quote', f.fep044fQuote],
  ['Fedibird quoteUri', f.fedibirdQuote],
  ['FEP-e232 "RE:" object link', f.e232Quote],
])('every quote notation is read: %s', (_name, note) => {
  expect(quoteUriOf(note)).toBe('https://gw.example/posts/p1');
  expect(remotePostOf(note, actorOf('https://x.example/u/a', 'a'), u).quoteOf).toEqual({ postId: 'p1' });
});

test('an object link that is no quote (a ticket reference) is not one', () => {
  expect(quoteUriOf(f.e232TicketLink)).toBeUndefined();
  expect(remotePostOf(f.e232TicketLink, actorOf('https://x.example/u/a', 'a'), u)).not.toHaveProperty('quoteOf');
});

test('Pleroma: mentions of local accounts become one mention.created naming them', () => {
  const cmd = noteCommand(f.pleromaMention, f.pleromaLain);
  expect(cmd.mentioned).toEqual(['alice', 'Carol']);
  const post = placeNote(remotePostOf(cmd.note, actorOf(f.pleromaLain, 'lain'), u, new Map([['alice', 'acc-alice'], ['carol', 'acc-carol']])), cmd.note, { authorFollowers: `${f.pleromaLain}/followers` });
  expect(post.visibility).toBe('followers');
  const roles = rolesOf({ mentioned: ['acc-carol', 'acc-alice'], followers: [], ...PUBLIC_NOTE });
  expectGolden('note-mention-created', noteCallbacks({ verb: 'create', activityId: String(f.pleromaMention.id), post, roles, recorded: {}, when }));
});

test('a reply that also mentions its parent\'s owner and another account: reply for one, mention for the other', () => {
  expect(rolesOf({ rootOwner: 'acc-alice', mentioned: ['acc-alice', 'acc-carol'], followers: ['acc-dan'], ...PUBLIC_NOTE })).toEqual({ reply: ['acc-alice'], mention: ['acc-carol'], post: ['acc-dan'] });
  expect(rolesOf({ quotedOwner: 'acc-alice', mentioned: ['acc-alice'], followers: [], ...PUBLIC_NOTE })).toEqual({ quote: ['acc-alice'] });
  expect(rolesOf({ mentioned: [], followers: [], ...PUBLIC_NOTE })).toEqual({});
});

describe('a followers-only or direct note is a reply or quote only for an owner in its audience', () => {
  const facts = { rootOwner: 'acc-carol', quotedOwner: 'acc-alice', mentioned: [], followers: [], addressed: [] };
  test('neither addressed, mentioned nor a follower: no reply, no quote', () => {
    expect(rolesOf({ ...facts, visibility: 'followers' })).toEqual({});
    expect(rolesOf({ ...facts, visibility: 'direct' })).toEqual({});
  });
  test('public and unlisted notes reach the owners whoever they address', () => {
    expect(rolesOf({ ...facts, visibility: 'public' })).toEqual({ reply: ['acc-carol'], quote: ['acc-alice'] });
    expect(rolesOf({ ...facts, visibility: 'unlisted' })).toEqual({ reply: ['acc-carol'], quote: ['acc-alice'] });
  });
  test('addressed, mentioned, or a follower of a followers-only note', () => {
    expect(rolesOf({ ...facts, visibility: 'direct', addressed: ['acc-carol'] })).toEqual({ reply: ['acc-carol'] });
    expect(rolesOf({ ...facts, visibility: 'direct', mentioned: ['acc-alice'] })).toEqual({ quote: ['acc-alice'] });
    expect(rolesOf({ ...facts, visibility: 'followers', followers: ['acc-carol'] })).toEqual({ reply: ['acc-carol'], post: ['acc-carol'] });
  });
  test('the local accounts a note addresses are read from to, cc, bto, bcc and audience', () => {
    const note = { to: ['https://gw.example/users/Carol', `${f.mastodonBob}/followers`], cc: 'https://gw.example/users/alice', bcc: [{ id: 'https://gw.example/users/dan' }], audience: 'https://gw.example/posts/p1' };
    expect([...addressedUsernames(note, u)].sort()).toEqual(['alice', 'carol', 'dan']);
  });
});

test('accounts blocking the author are left out of every role, the roles themselves kept', () => {
  expect(withoutAccounts({ reply: ['acc-alice'], mention: ['acc-alice', 'acc-carol'], post: [] }, new Set(['acc-alice']))).toEqual({ reply: [], mention: ['acc-carol'], post: [] });
  expect(noteCallbacks({ verb: 'create', activityId: 'x', post: remotePostOf(noteCommand(f.mastodonEdit, f.mastodonBob).note, actorOf(f.mastodonBob, 'bob'), u), roles: { reply: [] }, recorded: {}, when })).toEqual([]);
});

test('GoToSocial: a reply to a remote note carries that parent; in a local thread it maps to the root', () => {
  const cmd = noteCommand(f.gtsDeepReply, f.gtsZork);
  expect(cmd).toMatchObject({ parentUri: `${f.mastodonBob}/statuses/222`, mentioned: [] });
  expect(cmd).not.toHaveProperty('replyToPostId');
  // As the worker places it once the parent is known to sit under local post p1:
  const placed = placeNote(remotePostOf(cmd.note, actorOf(f.gtsZork, 'zork'), u), cmd.note, { root: 'p1', parentUri: cmd.parentUri!, authorFollowers: `${f.gtsZork}/followers` });
  expect(placed).toMatchObject({ inReplyTo: { postId: 'p1' }, parentUri: `${f.mastodonBob}/statuses/222`, visibility: 'public' });
  expectGolden('note-deep-reply-created', noteCallbacks({ verb: 'create', activityId: String(f.gtsDeepReply.id), post: placed, roles: rolesOf({ rootOwner: 'acc-alice', mentioned: [], followers: [], ...PUBLIC_NOTE }), recorded: {}, when }));
});

test('the post role\'s audience is not recorded (thousands of followers per note); Updates go to followers then', () => {
  expect(recordedRoles({ post: ['a', 'b'], mention: ['c'] })).toEqual({ post: [], mention: ['c'] });
  expect(mergeRoles({ post: [] }, { post: ['d'] })).toEqual({ post: ['d'] });
  // No follower left: nobody to tell, no callback.
  const post = remotePostOf(noteCommand(f.mastodonEdit, f.mastodonBob).note, actorOf(f.mastodonBob, 'bob'), u);
  expect(noteCallbacks({ verb: 'update', activityId: 'x', post, roles: mergeRoles({ post: [] }, {}), recorded: { post: [] }, when })).toEqual([]);
});

test('an Update of a note the platform never had for a role creates it there', () => {
  const post = remotePostOf(noteCommand(f.mastodonEdit, f.mastodonBob).note, actorOf(f.mastodonBob, 'bob'), u);
  const types = noteCallbacks({ verb: 'update', activityId: 'x', post, roles: { post: ['a'], mention: ['b'] }, recorded: { post: ['a'] }, when }).map((c) => c.type);
  expect(types).toEqual(['fediverse.post.updated', 'fediverse.mention.created']);
});

describe('Delete', () => {
  const tombstone = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${f.mastodonBob}/statuses/111#delete`, type: 'Delete', actor: f.mastodonBob, to: [f.PUBLIC], object: { id: `${f.mastodonBob}/statuses/111`, type: 'Tombstone', atomUri: `${f.mastodonBob}/statuses/111` } };

  test.each([
    ['Mastodon Tombstone', tombstone],
    ['GoToSocial bare id, no activity id', { type: 'Delete', actor: f.mastodonBob, to: f.PUBLIC, object: `${f.mastodonBob}/statuses/111` }],
    ['Pleroma embedded Note', { id: 'https://mastodon.example/activities/d1', type: 'Delete', actor: f.mastodonBob, object: { id: `${f.mastodonBob}/statuses/111`, type: 'Note', attributedTo: f.mastodonBob } }],
  ])('%s → delete-note', (_name, activity) => {
    expect(translateInbound(activity as JsonObject, f.mastodonBob, u)).toEqual({ ok: true, command: { kind: 'delete-note', actor: f.mastodonBob, noteId: `${f.mastodonBob}/statuses/111` } });
  });

  test.each([
    ['object_origin_mismatch', { ...tombstone, object: 'https://victim.example/notes/1' }],
    ['attribution_mismatch', { ...tombstone, object: { id: `${f.mastodonBob}/statuses/9`, type: 'Note', attributedTo: 'https://mastodon.example/users/eve' } }],
    ['unsupported_object_type', { ...tombstone, object: { id: `${f.mastodonBob}/lists/1`, type: 'Collection' } }],
    ['missing_object', { ...tombstone, object: null }],
  ])('refused: %s', (reason, activity) => {
    expect(translateInbound(activity as JsonObject, f.mastodonBob, u)).toMatchObject({ ok: false, reason });
  });

  test('a Delete naming the actor itself is the actor\'s own deletion, not a note\'s', () => {
    expect(translateInbound({ ...tombstone, object: f.mastodonBob } as JsonObject, f.mastodonBob, u)).toEqual({ ok: true, command: { kind: 'actor-delete', actor: f.mastodonBob } });
  });

  test('the deleted note reaches every role it was passed on as, named as far as known', () => {
    expectGolden('note-deleted', deletedNoteCallbacks(`${f.gtsZork}/statuses/01JDEEP`, actorOf(f.gtsZork, 'zork'), 'p1', { reply: ['acc-alice'], mention: ['acc-carol'] }, when));
  });
});

test.each([
  ['attribution_mismatch', { ...f.mastodonEdit, object: { ...(f.mastodonEdit.object as JsonObject), attributedTo: 'https://mastodon.example/users/eve' } }],
  ['object_origin_mismatch', { ...f.mastodonEdit, object: { ...(f.mastodonEdit.object as JsonObject), id: 'https://victim.example/notes/1' } }],
  ['object_not_embedded', { ...f.mastodonEdit, object: `${f.mastodonBob}/statuses/111` }],
  // An actor document under another id: an Update of someone else, whatever the id looks like.
  ['actor_mismatch', { ...f.mastodonEdit, object: { ...(f.mastodonEdit.object as JsonObject), type: 'Person' } }],
])('an Update must be its author\'s, like a Create: %s', (reason, activity) => {
  expect(translateInbound(activity as JsonObject, f.mastodonBob, u)).toMatchObject({ ok: false, reason });
});

// Platform events → ActivityStreams: golden documents for what remote servers receive.
import { PUBLIC } from '../../../services/activitypub/contexts';
import { acceptFollow, addressing, deleteActivity, noteActivity, noteObject } from '../../../services/activitypub/outbound';
import { actorDocument, instanceActorDocument } from '../../../services/activitypub/actor';
import { uris } from '../../../services/activitypub/uris';
import type { Account, Post } from '../../../services/platform/event-schemas';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const followers = 'https://gw.example/users/alice/followers';

const post: Post = {
  id: 'p1',
  accountId: 'a1',
  createdAt: '2026-11-01T10:00:00Z',
  text: 'Hello <b>world</b> & #Café_1 see https://example.com/a/very/long/path/that/goes/on?q=1\nsecond line\n\nnew para #Fedi',
  visibility: 'public',
  language: 'en',
  spoilerText: 'cw',
  inReplyTo: { postId: 'p0' },
  hashtags: ['Extra', 'fedi'],
  attachments: [
    { kind: 'image', url: 'https://cdn.example/i.png', mediaType: 'image/png', alt: 'a cat', width: 640, height: 480, blurhash: 'LKO2?U%2Tw=w' },
    { kind: 'video', url: 'https://cdn.example/v.mp4', mediaType: 'video/mp4' },
  ],
};

test('Create(Note) of a public reply with links, hashtags, language, content warning and media', () => {
  expectGolden('create-public-note', noteActivity('Create', noteObject(post, 'alice', u), 'ev1', u));
});

test('Update(Note) carries `updated`; Delete(Tombstone) keeps the note\'s audience', () => {
  const edited = { ...post, text: 'edited', updatedAt: '2026-11-01T11:00:00Z', visibility: 'followers' as const };
  expectGolden('update-followers-note', noteActivity('Update', noteObject(edited, 'alice', u), 'ev2', u));
  expectGolden('delete-note', deleteActivity('p1', 'alice', addressing('followers', followers, []), 'ev3', u));
});

test('addressing per visibility follows Mastodon', () => {
  const bob = 'https://remote.example/users/bob';
  expect(addressing('public', followers, [bob])).toEqual({ to: [PUBLIC], cc: [followers, bob] });
  expect(addressing('unlisted', followers, [])).toEqual({ to: [followers], cc: [PUBLIC] });
  expect(addressing('followers', followers, [bob])).toEqual({ to: [followers], cc: [bob] });
  expect(addressing('mentioned', followers, [bob])).toEqual({ to: [bob], cc: [] });
});

test('a reply to a remote post points at its URI; a note without CW is not sensitive', () => {
  const note = noteObject({ ...post, inReplyTo: { uri: 'https://remote.example/notes/9' }, spoilerText: undefined, hashtags: undefined, text: 'plain' }, 'alice', u);
  expect(note.inReplyTo).toBe('https://remote.example/notes/9');
  expect(note.sensitive).toBe(false);
  expect(note.summary).toBeNull();
  expect(note.tag).toEqual([]);
});

test('Accept(Follow) embeds the Follow it accepts', () => {
  expectGolden('accept-follow', acceptFollow('https://gw.example/users/alice', { id: 'https://remote.example/follows/1', actor: 'https://remote.example/users/bob', object: 'https://gw.example/users/alice' }, 'https://gw.example/users/alice#accepts/follows/x'));
});

test('Person and instance actor documents', () => {
  const account: Account = {
    id: 'a1',
    username: 'alice',
    displayName: 'Alice <3',
    summary: 'Writer. #books\nhttps://alice.example',
    avatar: { kind: 'image', url: 'https://cdn.example/avatar.png', mediaType: 'image/png', alt: 'portrait' },
    header: { kind: 'image', url: 'https://cdn.example/header.jpg', mediaType: 'image/jpeg' },
    profileUrl: 'https://platform.example/@alice',
    manuallyApprovesFollowers: true,
    discoverable: true,
    indexable: false,
    fields: [{ name: 'Site', value: 'https://alice.example' }, { name: 'Pronouns', value: 'she/her' }],
    createdAt: '2026-01-02T03:04:05Z',
  };
  const pem = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n';
  expectGolden('person', actorDocument(account, pem, u));
  expectGolden('instance-actor', instanceActorDocument(pem, 'gw.example', u));
});

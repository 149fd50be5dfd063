// ActivityStreams → commands and callback payloads, including the tolerant reading real servers need.
import { callbackEnvelope, remoteActorOf, remotePostOf } from '../../../services/activitypub/callbacks';
import { translateInbound } from '../../../services/activitypub/inbound';
import { uris } from '../../../services/activitypub/uris';
import type { JsonObject } from '../../../services/activitypub/as-read';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const bob = 'https://mastodon.example/users/bob';
const AS = 'https://www.w3.org/ns/activitystreams';

// A reply as Mastodon 4 sends it (shape of its ActivityPub::NoteSerializer output).
const mastodonReply: JsonObject = {
  '@context': [AS, { ostatus: 'http://ostatus.org#', sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', toot: 'http://joinmastodon.org/ns#', blurhash: 'toot:blurhash' }],
  id: 'https://mastodon.example/users/bob/statuses/1/activity',
  type: 'Create',
  actor: bob,
  published: '2026-11-01T12:00:00Z',
  to: [`${AS}#Public`],
  cc: ['https://mastodon.example/users/bob/followers', 'https://gw.example/users/alice'],
  object: {
    id: 'https://mastodon.example/users/bob/statuses/1',
    type: 'Note',
    summary: 'spoilers',
    inReplyTo: 'https://gw.example/posts/p1',
    published: '2026-11-01T12:00:00Z',
    url: 'https://mastodon.example/@bob/1',
    attributedTo: bob,
    to: `${AS}#Public`,
    sensitive: true,
    content: '<p><span class="h-card" translate="no"><a href="https://gw.example/users/alice" class="u-url mention">@<span>alice</span></a></span> Nice &amp; <script>alert(1)</script><a href="javascript:alert(1)">x</a> <a href="https://mastodon.example/tags/Cats" class="mention hashtag" rel="tag">#<span>Cats</span></a></p><p>line<br>two <img src=x onerror=alert(1)></p>',
    contentMap: { en: '<p>ignored when content is present</p>' },
    attachment: [
      { type: 'Document', mediaType: 'image/gif', url: 'https://files.example/a.gif', name: 'dancing', blurhash: 'UABC', width: 400, height: 300 },
      { type: 'Document', mediaType: 'audio/mpeg', url: { type: 'Link', href: 'https://files.example/s.mp3' }, name: null },
    ],
    tag: [
      { type: 'Mention', href: 'https://gw.example/users/alice', name: '@alice@gw.example' },
      { type: 'Mention', href: 'https://pleroma.example/users/carol', name: '@carol@pleroma.example' },
      { type: 'Hashtag', href: 'https://mastodon.example/tags/cats', name: '#Cats' },
    ],
  },
};

const bobActor = remoteActorOf({
  id: bob,
  type: 'Person',
  preferredUsername: 'bob',
  name: 'Bob',
  summary: '<p>hi<script>x</script></p>',
  inbox: `${bob}/inbox`,
  icon: { type: 'Image', url: 'https://files.example/bob.png' },
  url: 'https://mastodon.example/@bob',
});

test('a Mastodon reply to a local post becomes reply.created with sanitised HTML, text, media and mentions', () => {
  const result = translateInbound(mastodonReply, bob, u);
  expect(result).toMatchObject({ ok: true, command: { kind: 'note', verb: 'create', replyToPostId: 'p1', mentioned: ['alice'] } });
  if (!result.ok || result.command.kind !== 'note') throw new Error('not a note');
  const post = remotePostOf(result.command.note, bobActor, u, new Map([['alice', 'acc-alice']]));
  expectGolden('reply-created-callback', callbackEnvelope('fediverse.reply.created', post.uri, { post, accountIds: ['acc-alice'] }, new Date('2026-11-01T12:00:01Z')));
});

test('remote actors: handle with the server host, sanitised summary, icon and url', () => {
  expect(bobActor).toEqual({ uri: bob, handle: '@bob@mastodon.example', name: 'Bob', summaryHtml: '<p>hi</p>', avatarUrl: 'https://files.example/bob.png', url: 'https://mastodon.example/@bob' });
  expect(remoteActorOf({ id: 'http://127.0.0.1:8080/u/x', preferredUsername: 'x', icon: 'https://i.example/x.png' }).handle).toBe('@x@127.0.0.1:8080');
});

describe('commands', () => {
  const follow = { id: 'https://mastodon.example/f/1', type: 'Follow', actor: bob, object: 'https://gw.example/users/alice' };

  test('Follow, Like and Undo in their embedded and referenced forms', () => {
    expect(translateInbound(follow, bob, u)).toEqual({ ok: true, command: { kind: 'follow', activityId: follow.id, actor: bob, username: 'alice' } });
    expect(translateInbound({ id: 'https://mastodon.example/l/1', type: 'Like', actor: { id: bob, type: 'Person' }, object: { id: 'https://gw.example/posts/p1', type: 'Note' } }, bob, u)).toEqual({ ok: true, command: { kind: 'like', activityId: 'https://mastodon.example/l/1', actor: bob, postId: 'p1' } });
    expect(translateInbound({ id: 'https://mastodon.example/u/1', type: 'Undo', actor: bob, object: follow }, bob, u)).toEqual({ ok: true, command: { kind: 'undo-follow', actor: bob, username: 'alice', followId: follow.id } });
    expect(translateInbound({ id: 'https://mastodon.example/u/2', type: ['Undo'], actor: bob, object: 'https://mastodon.example/l/1' }, bob, u)).toEqual({ ok: true, command: { kind: 'undo-ref', actor: bob, undoneId: 'https://mastodon.example/l/1' } });
  });

  test.each([
    ['actor_mismatch', { ...follow, actor: 'https://mastodon.example/users/eve' }],
    ['id_origin_mismatch', { ...follow, id: 'https://elsewhere.example/f/1' }],
    ['not_local_target', { ...follow, object: 'https://elsewhere.example/users/x' }],
    ['unsupported_type', { ...follow, type: 'Arrive' }],
    ['missing_actor', { id: follow.id, type: 'Follow', object: follow.object }],
    ['missing_type', { id: follow.id, actor: bob }],
    ['object_not_embedded', { id: 'https://mastodon.example/c/1', type: 'Create', actor: bob, object: 'https://mastodon.example/notes/1' }],
    ['attribution_mismatch', { ...mastodonReply, object: { ...(mastodonReply.object as JsonObject), attributedTo: 'https://mastodon.example/users/eve' } }],
    ['object_origin_mismatch', { ...mastodonReply, object: { ...(mastodonReply.object as JsonObject), id: 'https://victim.example/notes/1' } }],
    ['actor_mismatch', { id: 'https://mastodon.example/u/3', type: 'Undo', actor: bob, object: { ...follow, actor: 'https://mastodon.example/users/eve' } }],
  ])('refused with a named reason: %s', (reason, activity) => {
    expect(translateInbound(activity as JsonObject, bob, u)).toMatchObject({ ok: false, reason });
  });

  test('malformed percent-encoding in a local URI is not a local target, not a crash', () => {
    expect(translateInbound({ ...follow, object: 'https://gw.example/users/%E0' }, bob, u)).toMatchObject({ ok: false, reason: 'not_local_target' });
  });
});

// Inbound reactions, reposts, blocks, reports and actor lifecycle → commands. The documents are
// shaped like what Misskey, Pleroma/Akkoma and Mastodon send (see ../shared/fixtures/activities).
import type { JsonObject } from '../../../services/activitypub/as-read';
import { translateInbound } from '../../../services/activitypub/inbound';
import { uris } from '../../../services/activitypub/uris';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const AS = 'https://www.w3.org/ns/activitystreams';
const misskey = 'https://misskey.example/users/9x8y';
const pleroma = 'https://pleroma.example/users/lain';
const bob = 'https://mastodon.example/users/bob';
const post = 'https://gw.example/posts/p1';

const cases: Record<string, [JsonObject, string]> = {
  // Misskey: a Like carrying a custom emoji, its image in an Emoji tag.
  misskeyCustomReaction: [{
    '@context': [AS, 'https://w3id.org/security/v1'], type: 'Like', id: 'https://misskey.example/likes/9abc', actor: misskey, object: post,
    content: ':blobcat:', _misskey_reaction: ':blobcat:',
    tag: [{ id: 'https://misskey.example/emojis/blobcat', type: 'Emoji', name: ':blobcat:', updated: '2026-01-01T00:00:00.000Z', icon: { type: 'Image', mediaType: 'image/png', url: 'https://misskey.example/files/blobcat.png' } }],
  }, misskey],
  // Misskey before v12 named its reactions.
  misskeyLegacyReaction: [{ type: 'Like', id: 'https://misskey.example/likes/old', actor: misskey, object: post, _misskey_reaction: 'pudding' }, misskey],
  misskeyUnicodeReaction: [{ type: 'Like', id: 'https://misskey.example/likes/9abd', actor: misskey, object: post, content: '❤', _misskey_reaction: '❤' }, misskey],
  // Pleroma/Akkoma: EmojiReact with one emoji as content.
  pleromaEmojiReact: [{ type: 'EmojiReact', id: 'https://pleroma.example/activities/r1', actor: pleroma, object: post, content: '👍🏽' }, pleroma],
  pleromaTwoEmoji: [{ type: 'EmojiReact', id: 'https://pleroma.example/activities/r2', actor: pleroma, object: post, content: '👌👌' }, pleroma],
  pleromaNotEmoji: [{ type: 'EmojiReact', id: 'https://pleroma.example/activities/r3', actor: pleroma, object: post, content: 'ok' }, pleroma],
  likeWithTextContent: [{ type: 'Like', id: 'https://pleroma.example/activities/l1', actor: pleroma, object: post, content: 'nice post' }, pleroma],
  undoEmojiReact: [{ type: 'Undo', id: 'https://pleroma.example/activities/u1', actor: pleroma, object: { type: 'EmojiReact', id: 'https://pleroma.example/activities/r1', actor: pleroma, object: post, content: '👍🏽' } }, pleroma],
  // Mastodon reblogs.
  announceLocalPost: [{ '@context': AS, id: `${bob}/statuses/2/activity`, type: 'Announce', actor: bob, published: '2026-11-01T10:00:00Z', to: [`${AS}#Public`], cc: ['https://gw.example/users/alice', `${bob}/followers`], object: post }, bob],
  announceRemotePost: [{ '@context': AS, id: `${bob}/statuses/3/activity`, type: 'Announce', actor: bob, to: [`${AS}#Public`], object: 'https://pixelfed.example/p/carol/1' }, bob],
  groupAnnouncesActivity: [{ id: 'https://lemmy.example/activities/announce/1', type: 'Announce', actor: 'https://lemmy.example/c/main', object: { id: 'https://lemmy.example/activities/create/1', type: 'Create', actor: 'https://lemmy.example/u/x', object: 'https://lemmy.example/post/1' } }, 'https://lemmy.example/c/main'],
  undoAnnounce: [{ id: `${bob}#announces/2/undo`, type: 'Undo', actor: bob, object: { id: `${bob}/statuses/2/activity`, type: 'Announce', actor: bob, object: post } }, bob],
  // Blocks.
  blockLocal: [{ id: `${bob}#blocks/1`, type: 'Block', actor: bob, object: 'https://gw.example/users/alice' }, bob],
  undoBlockLocal: [{ id: `${bob}#blocks/1/undo`, type: 'Undo', actor: bob, object: { id: `${bob}#blocks/1`, type: 'Block', actor: bob, object: 'https://gw.example/users/alice' } }, bob],
  lemmyCommunityBan: [{ id: 'https://lemmy.example/activities/block/1', type: 'Block', actor: 'https://lemmy.example/u/mod', object: 'https://elsewhere.example/u/x', target: 'https://lemmy.example/c/main' }, 'https://lemmy.example/u/mod'],
  // Mastodon reports come from its instance actor.
  flag: [{ '@context': AS, id: 'https://mastodon.example/0b1c', type: 'Flag', actor: 'https://mastodon.example/actor', content: 'spam', object: ['https://gw.example/users/alice', post, 'https://mastodon.example/users/bob/statuses/9'] }, 'https://mastodon.example/actor'],
  flagOfOthers: [{ id: 'https://mastodon.example/0b1d', type: 'Flag', actor: 'https://mastodon.example/actor', object: ['https://elsewhere.example/users/x'] }, 'https://mastodon.example/actor'],
  // Account migration and lifecycle.
  move: [{ '@context': AS, id: `${bob}/moves/1`, type: 'Move', actor: bob, object: bob, target: 'https://new.example/users/bob', to: `${bob}/followers` }, bob],
  moveOfAnother: [{ id: `${bob}/moves/2`, type: 'Move', actor: bob, object: 'https://mastodon.example/users/eve', target: 'https://new.example/users/bob' }, bob],
  moveWithoutTarget: [{ id: `${bob}/moves/3`, type: 'Move', actor: bob, object: bob }, bob],
  updatePerson: [{ id: `${bob}#updates/1`, type: 'Update', actor: bob, object: { id: bob, type: 'Person', name: 'Bob', inbox: `${bob}/inbox` } }, bob],
  updateSelfByRef: [{ id: `${bob}#updates/3`, type: 'Update', actor: bob, object: bob }, bob],
  updateOtherActor: [{ id: `${bob}#updates/2`, type: 'Update', actor: bob, object: { id: 'https://mastodon.example/users/eve', type: 'Person' } }, bob],
  deleteSelf: [{ id: `${bob}#delete`, type: 'Delete', actor: bob, to: [`${AS}#Public`], object: bob }, bob],
  deleteSelfEmbedded: [{ id: `${bob}#delete2`, type: 'Delete', actor: bob, object: { id: bob, type: 'Person' } }, bob],
};

test('each document becomes a command or a named refusal', () => {
  const results = Object.fromEntries(Object.entries(cases).map(([name, [doc, signer]]) => [name, translateInbound(doc, signer, u)]));
  expectGolden('inbound-interactions', results);
});

test('a note\'s Update is not taken for an actor update', () => {
  const update = { id: `${bob}/statuses/1#updates/1`, type: 'Update', actor: bob, object: { id: `${bob}/statuses/1`, type: 'Note', attributedTo: bob } };
  expect(translateInbound(update, bob, u)).not.toMatchObject({ ok: true, command: { kind: 'actor-update' } });
});

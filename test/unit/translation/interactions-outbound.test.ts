// Reactions, relationships and moderation → ActivityStreams: golden documents for what remote
// servers receive (Like, Announce, Block, Reject, Flag, and the Undo of each undoable one).
import { announceActivity, blockActivity, flagActivity, likeActivity, rejectFollow, undoActivity } from '../../../services/activitypub/interactions';
import { uris } from '../../../services/activitypub/uris';
import { expectGolden } from './golden';

const u = uris('https://gw.example');
const alice = u.actor('alice');
const bob = 'https://mastodon.example/users/bob';
const bobNote = 'https://mastodon.example/users/bob/statuses/1';

test('Like of a remote note goes to its author; its Undo restates it', () => {
  const like = likeActivity(u.like('alice', 'like-1'), alice, bobNote, bob);
  expectGolden('like-remote-note', like);
  expectGolden('undo-like', undoActivity(like));
});

test('Announce is public, cc the followers and the original author; its Undo keeps that audience', () => {
  const announce = announceActivity(u.repost('alice', 'rp-1'), alice, u.followers('alice'), bobNote, bob, '2026-11-01T10:00:00.000Z');
  expectGolden('announce-remote-note', announce);
  expectGolden('undo-announce', undoActivity(announce));
});

test('Block names the target and is addressed to it; Undo(Block) too', () => {
  const block = blockActivity(u.block('alice', 'b/1'), alice, bob);
  expectGolden('block', block);
  expectGolden('undo-block', undoActivity(block));
});

test('Reject of a remembered Follow', () => {
  expectGolden('reject-follow', rejectFollow(alice, { id: 'https://mastodon.example/f/1', actor: bob, object: alice }, `${alice}#rejects/follows/x`));
});

test('Flag from the instance actor: the actor first, then the reported objects, the comment as content', () => {
  expectGolden('flag', flagActivity(u.report('r-1'), u.instanceActor, bob, [bobNote], 'spam & abuse'));
});

// Which callbacks share an order: those about one note, like, repost, actor or relationship.
import { callbackObjectKey } from '../../services/activitypub/callback-objects';
import { CALLBACK_DATA } from '../../services/platform/callback-schemas';

const actor = (uri: string) => ({ uri, handle: '@x@remote.example', name: 'x', summaryHtml: '' });
const cb = (type: string, data: Record<string, unknown>) => callbackObjectKey({ id: `${type}:1`, type, occurredAt: '2026-11-01T10:00:00Z', data });
const note = 'https://remote.example/notes/1';
const bob = 'https://remote.example/users/bob';

test('a note\'s callbacks share one key in every role; a repost of it is keyed by its Announce', () => {
  const keys = ['post', 'reply', 'mention', 'quote'].flatMap((role) => ['created', 'updated', 'deleted'].map((verb) => cb(`fediverse.${role}.${verb}`, { post: { uri: note, author: actor(bob) }, accountIds: ['a'] })));
  expect(new Set(keys)).toEqual(new Set([`note ${note}`]));
  const repost = { activityId: 'https://remote.example/announces/9', actor: actor(bob) };
  expect(cb('fediverse.post.created', { post: { uri: note }, accountIds: ['a'], repost })).toBe('announce https://remote.example/announces/9');
  expect(cb('fediverse.post.deleted', { post: { uri: note }, accountIds: ['a'], repost })).toBe('announce https://remote.example/announces/9');
  expect(cb('fediverse.repost.deleted', { postId: 'p', actor: actor(bob), activityId: 'https://remote.example/announces/9' })).toBe('announce https://remote.example/announces/9');
});

test('follows both ways, follow requests and blocks between one account and one actor share a key', () => {
  const pair = `relationship a-1 ${bob}`;
  expect(cb('fediverse.follower.added', { accountId: 'a-1', follower: actor(bob) })).toBe(pair);
  expect(cb('fediverse.follower.removed', { accountId: 'a-1', follower: actor(bob), reason: 'gone' })).toBe(pair);
  expect(cb('fediverse.follow_request.received', { accountId: 'a-1', follower: actor(bob) })).toBe(pair);
  expect(cb('fediverse.block.received', { accountId: 'a-1', actor: actor(bob) })).toBe(pair);
  expect(cb('fediverse.follow.accepted', { followId: 'f-1', accountId: 'a-1', target: actor(bob) })).toBe(pair);
  // Refused before any actor was found: the follow's own id.
  expect(cb('fediverse.follow.rejected', { followId: 'f-1', accountId: 'a-1', target: { handle: '@nobody@remote.example' }, reason: 'not_found' })).toBe('follow f-1');
  expect(cb('fediverse.follower.added', { accountId: 'a-2', follower: actor(bob) })).not.toBe(pair);
});

test('likes and actors are keyed by their own ids; a report by nothing', () => {
  expect(cb('fediverse.like.created', { postId: 'p', actor: actor(bob), activityId: 'https://remote.example/likes/1' })).toBe('like https://remote.example/likes/1');
  expect(cb('fediverse.like.deleted', { postId: 'p', actor: actor(bob), activityId: 'https://remote.example/likes/1' })).toBe('like https://remote.example/likes/1');
  for (const type of ['fediverse.actor.updated', 'fediverse.actor.deleted', 'fediverse.actor.moved']) expect(cb(type, { actor: actor(bob) })).toBe(`actor ${bob}`);
  expect(cb('fediverse.report.received', { report: { activityId: 'x', actor: actor(bob), targets: [], comment: '' } })).toBeUndefined();
});

test('every callback type of the contract is keyed or deliberately not', () => {
  const unordered = Object.keys(CALLBACK_DATA).filter((type) => !/^fediverse\.(post|reply|mention|quote|like|repost|actor|follower|follow_request|block|follow)\./.test(type));
  expect(unordered).toEqual(['fediverse.report.received']);
});

// Who a `followers`-only post reaches, end to end against two Fedify servers in their own
// processes: the one that follows the local account receives it and verifies it; the one that
// does not follow, though the gateway knows its inbox (the local account follows it), never
// receives it, and nobody reads it at its URL without a signature.
import { postData } from '../support/platform-events';
import { type E2eWorld, startE2eWorld } from './support/e2e-world';
import type { FedifyPeer } from './support/fedify-peer';

jest.setTimeout(60000);

let w: E2eWorld;
let follower: FedifyPeer;
let stranger: FedifyPeer;

beforeAll(async () => {
  w = await startE2eWorld({ peers: 2 });
  [follower, stranger] = w.peers as [FedifyPeer, FedifyPeer];
  await w.enable('acc-gil', 'gil');
});

afterAll(async () => {
  await w?.close();
});

test('a followers-only post reaches the follower and never the server that does not follow', async () => {
  const gil = w.actor('gil');
  const follow = await follower.follow(w.handle('gil'));
  await follower.waitFor((a) => a.type === 'Accept' && a.objectId === follow.followId, 15000);
  expect((await follower.state()).following).toEqual([expect.objectContaining({ target: gil, state: 'accepted' })]);
  // The other way round: the gateway knows the stranger's inbox, but the stranger follows nobody here.
  await w.send('follow.created', { follow: { id: 'f-stranger', accountId: 'acc-gil', target: { handle: stranger.handle } } });
  await w.callback('fediverse.follow.accepted', (c) => c.data.followId === 'f-stranger');
  expect((await stranger.state()).followers).toEqual([gil]);

  await w.send('post.created', { post: postData('p-inner', 'acc-gil', { text: 'for my followers', visibility: 'followers' }) });
  const noteId = `${w.gw.url}/posts/p-inner`;
  const create = await follower.waitFor((a) => a.type === 'Create' && a.objectId === noteId, 15000);
  expect(create.actor).toBe(gil);
  const note = await follower.waitForNote((n) => n.id === noteId);
  expect(note.to).toEqual([`${gil}/followers`]);
  expect(note.to.concat(note.cc)).not.toContain('https://www.w3.org/ns/activitystreams#Public');

  await w.idle();
  expect((await stranger.received()).filter((a) => a.objectId === noteId)).toEqual([]);
  expect((await stranger.seen()).notes).toEqual([]);
  expect(await w.getStatus(noteId)).toBe(404);
  expect(await follower.unverified()).toEqual([]);
  expect(await stranger.unverified()).toEqual([]);
});

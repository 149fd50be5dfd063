// Following out, end to end against Fedify in its own process: a local account follows the peer
// by handle (WebFinger over https), Fedify verifies the Follow and accepts; the peer's post, edit
// and delete reach the platform for that follower; the unfollow reaches Fedify as Undo(Follow).
import { type E2eWorld, startE2eWorld } from './support/e2e-world';
import type { FedifyPeer } from './support/fedify-peer';

jest.setTimeout(60000);

let w: E2eWorld;
let peer: FedifyPeer;

beforeAll(async () => {
  w = await startE2eWorld();
  peer = w.peers[0]!;
  await w.enable('acc-erin', 'erin');
});

afterAll(async () => {
  await w?.close();
});

test('a local account follows Fedify by handle, gets its posts, edits and deletes, then unfollows', async () => {
  const erin = w.actor('erin');
  await w.send('follow.created', { follow: { id: 'f-peer', accountId: 'acc-erin', target: { handle: peer.handle } } });

  const follow = await peer.waitFor((a) => a.type === 'Follow' && a.actor === erin, 15000);
  expect(follow.objectId).toBe(peer.actorUri);
  expect(follow.httpSignature?.spec).toBe('draft-cavage');
  const accepted = await w.callback('fediverse.follow.accepted', (c) => c.data.followId === 'f-peer');
  expect(accepted.data).toMatchObject({ accountId: 'acc-erin', target: { uri: peer.actorUri, handle: peer.handle } });
  expect((await peer.state()).followers).toContain(erin);

  const note = await peer.post({ content: '<p>news from the peer</p>' });
  const created = await w.callback('fediverse.post.created', (c) => c.data.post.uri === note.noteId);
  expect(created.data.accountIds).toContain('acc-erin');
  expect(created.data.post).toMatchObject({ author: { uri: peer.actorUri }, text: 'news from the peer' });

  await peer.update({ noteId: note.noteId, content: '<p>news, corrected</p>' });
  const updated = await w.callback('fediverse.post.updated', (c) => c.data.post.uri === note.noteId);
  expect(updated.data.accountIds).toContain('acc-erin');
  expect(updated.data.post).toMatchObject({ text: 'news, corrected' });
  expect(updated.data.post.updatedAt).toEqual(expect.any(String));

  await peer.delete({ noteId: note.noteId });
  const deleted = await w.callback('fediverse.post.deleted', (c) => c.data.post.uri === note.noteId);
  expect(deleted.data.accountIds).toContain('acc-erin');

  await w.send('follow.deleted', { follow: { id: 'f-peer', accountId: 'acc-erin', target: { handle: peer.handle } } });
  const undo = await peer.waitFor((a) => a.type === 'Undo' && a.actor === erin, 15000);
  expect(undo.objectId).toBe(follow.id);
  expect((await peer.state()).followers).not.toContain(erin);

  expect(await peer.unverified()).toEqual([]);
  expect(w.sink.badSignatures).toBe(0);
  expect(w.sink.schemaProblems).toEqual([]);
});

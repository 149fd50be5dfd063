// Blocks both ways and an account's opt-out, end to end against Fedify in its own process: a
// local block reaches Fedify verified, ends the follow and shuts Fedify out until its Undo; a
// block by Fedify reaches the platform; a disabled account is a deleted actor to Fedify.
import { postData } from '../support/platform-events';
import { eventually } from '../support/test-gateway';
import { type E2eWorld, startE2eWorld } from './support/e2e-world';
import type { FedifyPeer } from './support/fedify-peer';

jest.setTimeout(60000);

let w: E2eWorld;
let peer: FedifyPeer;

beforeAll(async () => {
  w = await startE2eWorld();
  peer = w.peers[0]!;
  await w.enable('acc-hal', 'hal');
  await w.enable('acc-ivy', 'ivy');
});

afterAll(async () => {
  await w?.close();
});

afterEach(async () => {
  expect(await peer.unverified()).toEqual([]);
  expect(w.sink.badSignatures).toBe(0);
  expect(w.sink.schemaProblems).toEqual([]);
});

const likesOf = (activityId: string) => w.sink.callbacks.filter((c) => c.type.startsWith('fediverse.like.') && c.data.activityId === activityId);

test('a local block reaches Fedify verified and ends its follow; its likes are refused until the Undo(Block)', async () => {
  const hal = w.actor('hal');
  const target = { handle: peer.handle };
  await w.send('post.created', { post: postData('p-hal', 'acc-hal', { text: 'like this' }) });
  const halPost = `${w.gw.url}/posts/p-hal`;
  await eventually(async () => (await w.getStatus(halPost)) === 200, 'p-hal served');
  const follow = await peer.follow(w.handle('hal'));
  await peer.waitFor((a) => a.type === 'Accept' && a.objectId === follow.followId, 15000);
  // Before the block a like is passed on, so the silence after it is the block's doing.
  const before = await peer.like({ object: halPost, to: hal });
  await w.callback('fediverse.like.created', (c) => c.data.activityId === before.activityId);

  await w.send('block.created', { block: { id: 'b-peer', accountId: 'acc-hal', target } });
  const block = await peer.waitFor((a) => a.type === 'Block' && a.actor === hal, 15000);
  expect(block.objectId).toBe(peer.actorUri);
  expect(block.httpSignature?.spec).toBe('draft-cavage');
  const state = await peer.state();
  expect(state.blockedBy).toEqual([expect.objectContaining({ actor: hal, blockId: block.id })]);
  expect(state.following.map((f) => f.target)).not.toContain(hal);
  expect(await w.gw.g.followers.get('acc-hal', peer.actorUri)).toBeUndefined();

  const blockedLike = await peer.like({ object: halPost, to: hal });
  await w.idle();
  expect(likesOf(blockedLike.activityId)).toEqual([]);

  await w.send('block.deleted', { block: { id: 'b-peer', accountId: 'acc-hal', target } });
  const undo = await peer.waitFor((a) => a.type === 'Undo' && a.objectId === block.id, 15000);
  expect(undo.actor).toBe(hal);
  expect((await peer.state()).blockedBy).toEqual([]);
  const after = await peer.like({ object: halPost, to: hal });
  await w.callback('fediverse.like.created', (c) => c.data.activityId === after.activityId);
});

test("Fedify's block of a local account reaches the platform as block.received", async () => {
  const sent = await peer.block(w.handle('hal'));
  expect(sent.target).toBe(w.actor('hal'));
  const received = await w.callback('fediverse.block.received', (c) => c.data.actor.uri === peer.actorUri);
  expect(received.data).toMatchObject({ accountId: 'acc-hal', actor: { handle: peer.handle } });
});

test('an opted-out account reaches its Fedify follower as a verified Delete(Person), and is gone when Fedify looks again', async () => {
  const ivy = w.actor('ivy');
  const follow = await peer.follow(w.handle('ivy'));
  await peer.waitFor((a) => a.type === 'Accept' && a.objectId === follow.followId, 15000);

  await w.send('account.disabled', { accountId: 'acc-ivy' });
  const del = await peer.waitFor((a) => a.type === 'Delete' && a.actor === ivy && a.objectId === ivy, 15000);
  expect(del.httpSignature?.spec).toBe('draft-cavage');
  expect((await peer.state()).deletedActors).toEqual([expect.objectContaining({ actor: ivy, activityId: del.id, verified: true })]);

  expect(await w.getStatus(ivy)).toBe(410);
  // Fedify, its caches cleared, cannot find the actor again, by handle (WebFinger 404) or by URI (410).
  await peer.reset({ cache: true });
  await expect(peer.follow(w.handle('ivy'))).rejects.toMatchObject({ status: 404 });
  await expect(peer.follow(ivy)).rejects.toMatchObject({ status: 404 });
  expect(peer.stderr()).toContain(`Failed to fetch document: 410 '${ivy}'`);
});

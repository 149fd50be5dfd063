// Blocks on the hot path of inbound notes: a followed author's note concerns every local follower,
// so blockers are found with one read of the author's reverse index, not one per follower; a
// follower that blocks the author is left out, the others all hear of the note.
import type { JsonObject } from '../../services/activitypub/as-read';
import { handleInbound } from '../../services/federation/handle-inbound';
import { type Rig, startRig } from '../support/fixtures-setup';
import type { PlatformSink } from '../support/platform-sink';
import type { RemoteServer } from '../support/remote-server';
import { type TestGateway, eventually } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
  ({ remote, sink, gw } = rig);
});

afterAll(() => rig.close());

test('a note by an author with 300 local followers reads blocks at most twice, not per follower; the one blocker is left out', async () => {
  const author = remote.actorUri('popular');
  const followers = Array.from({ length: 300 }, (_, i) => `acc-f${i}`);
  await gw.g.redis.sadd(gw.g.keys.localFollowersOf(author), ...followers);
  await gw.g.blocks.add('acc-f7', { actor: author, inbox: `${remote.origin}/users/popular/inbox`, blockId: 'b-7', since: new Date().toISOString() });
  expect(await gw.g.blocks.blockersOf(author)).toEqual(new Set(['acc-f7']));

  // The real store, watched: how many block reads one note costs.
  const perAccount = jest.spyOn(gw.g.blocks, 'has');
  const perActor = jest.spyOn(gw.g.blocks, 'blockersOf');
  const note = { id: `${remote.origin}/notes/pop-1`, type: 'Note', attributedTo: author, to: [`${AS}#Public`], cc: [`${author}/followers`], content: '<p>hi all</p>', published: new Date().toISOString() };
  const create: JsonObject = { '@context': AS, id: `${remote.origin}/creates/pop-1`, type: 'Create', actor: author, to: [`${AS}#Public`], object: note };
  const outcome = await handleInbound(gw.g, { activity: create, activityId: String(create.id), signer: author, receivedAt: new Date().toISOString() });
  const reads = perAccount.mock.calls.length + perActor.mock.calls.length;
  perAccount.mockRestore();
  perActor.mockRestore();
  expect(outcome).toMatchObject({ outcome: 'applied' });
  expect(reads).toBeLessThanOrEqual(2);

  const created = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.post.created' && c.data.post.uri === note.id), 'post.created');
  expect(created.data.accountIds).toHaveLength(299);
  expect(created.data.accountIds).not.toContain('acc-f7');
});

test('lifting a block and erasing an account keep the reverse index in step', async () => {
  const actor = remote.actorUri('someone');
  const record = { actor, inbox: `${remote.origin}/users/someone/inbox`, blockId: 'b-1', since: new Date().toISOString() };
  await gw.g.blocks.add('acc-a', record);
  await gw.g.blocks.add('acc-b', { ...record, blockId: 'b-2' });
  await gw.g.blocks.remove('acc-a', actor);
  expect(await gw.g.blocks.blockersOf(actor)).toEqual(new Set(['acc-b']));
  await gw.g.blocks.eraseAccount('acc-b');
  expect(await gw.g.blocks.blockersOf(actor)).toEqual(new Set());
  expect(await gw.g.blocks.has('acc-b', actor)).toBe(false);
});

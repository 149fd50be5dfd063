// Follow requests approved or rejected by hand, followers removed, blocks made and lifted, over
// real HTTP and the real queues. A block stops deliveries to the blocked actor and its activities.
import { jobIdOf } from '../../services/queue/jobs';
import { enqueueDeliveries } from '../../services/federation/enqueue';
import { eventJobId } from '../../services/platform/intake';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { independentlyVerified } from '../support/independent-verify';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { type SignedActivity, replayKeyOf } from '../support/inbox-jobs';

const AS = 'https://www.w3.org/ns/activitystreams';
let sink: PlatformSink;
let remote: RemoteServer; // dave, erin: ask to follow carla
let blocked: RemoteServer; // mallory's server: only she follows alice there
let fans: RemoteServer; // frank follows alice
let gw: TestGateway;

const pemOf = async (username: string) =>
  ((await (await fetch(`${gw.url}/users/${username}`, { headers: { accept: 'application/activity+json' } })).json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem;

async function send(type: string, data: Record<string, unknown>, occurredAt = at(10)) {
  const id = eventId(type);
  expect((await sendEvents(gw.url, { id, type, occurredAt, data })).status).toBe(202);
  return id;
}
const outcomeOf = (id: string) => eventually(async () => (await gw.g.queues.events.getJob(eventJobId(id)))?.returnvalue as string | undefined, `outcome of ${id}`);
const inboxOutcome = (activity: SignedActivity) => eventually(async () => (await gw.g.queues.inbox.getJob(replayKeyOf(activity)))?.returnvalue as { outcome: string; reason?: string } | undefined, `inbox outcome of ${activity.id}`);

async function followFrom(server: RemoteServer, name: string, username: string, n = '') {
  const follow = { '@context': AS, id: `${server.origin}/follows/${name}-${username}${n}`, type: 'Follow', actor: server.actorUri(name), object: `${gw.url}/users/${username}` };
  expect((await server.post(`${gw.url}/users/${username}/inbox`, follow, { as: name })).status).toBe(202);
  return follow;
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  [remote, blocked, fans] = await Promise.all([startRemoteServer(), startRemoteServer(), startRemoteServer()]);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-carla', 'carla', { manuallyApprovesFollowers: true });
  await enableAccount(gw, 'acc-alice', 'alice');
});

afterAll(async () => {
  await gw.close();
  await Promise.all([remote.close(), blocked.close(), fans.close()]);
  await sink.close();
});

describe('follow requests and followers', () => {
  test('follow_request.approved sends an Accept of the remembered Follow and makes a follower', async () => {
    const follow = await followFrom(remote, 'dave', 'carla');
    await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follow_request.received' && c.data.follower.uri === remote.actorUri('dave')), 'the request');
    expect(remote.received.filter((r) => r.json.type === 'Accept')).toEqual([]);

    await send('follow_request.approved', { accountId: 'acc-carla', follower: { uri: remote.actorUri('dave') } });
    const accept = await eventually(() => remote.received.find((r) => r.json.type === 'Accept'), 'the Accept');
    expect(accept.path).toBe('/users/dave/inbox');
    expect(accept.json).toMatchObject({ actor: `${gw.url}/users/carla`, object: { id: follow.id, type: 'Follow', actor: remote.actorUri('dave'), object: `${gw.url}/users/carla` } });
    expect(independentlyVerified(accept, await pemOf('carla')).ok).toBe(true);
    expect(await gw.g.followers.get('acc-carla', remote.actorUri('dave'))).toMatchObject({ followId: follow.id });
    expect(await gw.g.followers.getRequest('acc-carla', remote.actorUri('dave'))).toBeUndefined();
  });

  test('follow_request.rejected sends a Reject and drops the request', async () => {
    const follow = await followFrom(remote, 'erin', 'carla');
    await eventually(() => gw.g.followers.getRequest('acc-carla', remote.actorUri('erin')), 'erin\'s request');
    await send('follow_request.rejected', { accountId: 'acc-carla', follower: { uri: remote.actorUri('erin') } });
    const reject = await eventually(() => remote.received.find((r) => r.json.type === 'Reject' && r.path === '/users/erin/inbox'), 'the Reject');
    expect(reject.json).toMatchObject({ actor: `${gw.url}/users/carla`, object: { id: follow.id, type: 'Follow' } });
    expect(independentlyVerified(reject, await pemOf('carla')).ok).toBe(true);
    expect(await gw.g.followers.getRequest('acc-carla', remote.actorUri('erin'))).toBeUndefined();
    expect(await gw.g.followers.get('acc-carla', remote.actorUri('erin'))).toBeUndefined();
  });

  test('follower.removed sends Reject(Follow) and removes the follower', async () => {
    await send('follower.removed', { accountId: 'acc-carla', follower: { uri: remote.actorUri('dave') } }, at(20));
    const reject = await eventually(() => remote.received.find((r) => r.json.type === 'Reject' && r.path === '/users/dave/inbox'), 'the Reject to dave');
    expect(reject.json).toMatchObject({ object: { id: `${remote.origin}/follows/dave-carla`, type: 'Follow' } });
    expect(await gw.g.followers.get('acc-carla', remote.actorUri('dave'))).toBeUndefined();
  });

  test('an approval with no pending request, or a removal of a non-follower, says so', async () => {
    expect(await outcomeOf(await send('follow_request.approved', { accountId: 'acc-carla', follower: { uri: remote.actorUri('nobody') } }))).toBe('no_such_request');
    expect(await outcomeOf(await send('follower.removed', { accountId: 'acc-carla', follower: { uri: remote.actorUri('nobody') } }))).toBe('not_a_follower');
  });
});

describe('blocks', () => {
  const mallory = () => blocked.actorUri('mallory');

  test('block.created sends a Block to the target and ends the relationship both ways', async () => {
    await followFrom(blocked, 'mallory', 'alice');
    await eventually(() => gw.g.followers.get('acc-alice', mallory()), 'mallory following alice');
    await addRemoteFollower(gw, 'acc-alice', fans, 'frank');
    // alice follows mallory too (accepted).
    await gw.g.following.request('acc-alice', { target: mallory(), followId: 'f-1', activityId: `${gw.url}/follows/f-1`, inbox: `${blocked.origin}/users/mallory/inbox`, since: at(0) });
    await gw.g.following.accept('acc-alice', mallory());

    await send('block.created', { block: { id: 'b-1', accountId: 'acc-alice', target: { uri: mallory() } } }, at(30));
    const block = await eventually(() => blocked.received.find((r) => r.json.type === 'Block'), 'the Block');
    expect(block.path).toBe('/users/mallory/inbox');
    expect(block.json).toEqual({ '@context': AS, id: `${gw.url}/users/alice/blocks/b-1`, type: 'Block', actor: `${gw.url}/users/alice`, object: mallory(), to: [mallory()] });
    expect(independentlyVerified(block, await pemOf('alice')).ok).toBe(true);
    expect(await gw.g.followers.get('acc-alice', mallory())).toBeUndefined();
    expect(await gw.g.following.get('acc-alice', mallory())).toBeUndefined();
    expect(await gw.g.following.localFollowersOf(mallory())).toEqual([]);
  });

  test('after a block the account\'s posts do not reach the blocked server, and the blocked actor\'s Like is ignored', async () => {
    const before = blocked.received.length;
    const created = await send('post.created', { post: postData('p-after-block', 'acc-alice') }, at(40));
    await eventually(() => fans.received.find((r) => r.json.type === 'Create'), 'the Create at frank\'s server');
    // The fan-out named one inbox, frank's: mallory's server is not among them.
    const fanout = await eventually(async () => (await gw.g.queues.fanout.getJob(jobIdOf('fanout', gw.g.uris.activity(created, 'Create'))))?.returnvalue, 'the fan-out');
    expect(fanout).toEqual({ inboxes: 1 });
    // A delivery aimed straight at the blocked actor's inbox is skipped too.
    const activityId = `${gw.url}/activities/x/create`;
    await gw.g.activities.save({ id: activityId });
    await enqueueDeliveries(gw.g, activityId, { accountId: 'acc-alice' }, [`${blocked.origin}/users/mallory/inbox`]);
    const skipped = await eventually(async () => (await gw.g.queues.delivery.getJob(jobIdOf('delivery', activityId, `${blocked.origin}/users/mallory/inbox`)))?.returnvalue as { skipped?: string } | undefined, 'the skipped delivery');
    expect(skipped.skipped).toMatch(/blocks/);

    const like = { '@context': AS, id: `${blocked.origin}/likes/1`, type: 'Like', actor: mallory(), object: `${gw.url}/posts/p-after-block` };
    expect((await blocked.post(`${gw.url}/inbox`, like, { as: 'mallory' })).status).toBe(202);
    expect(await inboxOutcome(like)).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
    const follow = await followFrom(blocked, 'mallory', 'alice', '-again');
    expect(await inboxOutcome(follow)).toEqual({ outcome: 'ignored', reason: 'blocked_actor' });
    expect(blocked.received.slice(before)).toEqual([]);
    expect(sink.callbacks.filter((c) => c.data.actor?.uri === mallory() || c.data.follower?.uri === mallory()).map((c) => c.type)).toEqual(['fediverse.follower.added']);
  });

  test('block.deleted sends Undo(Block); the actor is heard again', async () => {
    await send('block.deleted', { block: { id: 'b-1', accountId: 'acc-alice', target: { uri: mallory() } } }, at(50));
    const undo = await eventually(() => blocked.received.find((r) => r.json.type === 'Undo'), 'the Undo(Block)');
    expect(undo.path).toBe('/users/mallory/inbox');
    expect(undo.json.object).toEqual({ id: `${gw.url}/users/alice/blocks/b-1`, type: 'Block', actor: `${gw.url}/users/alice`, object: mallory() });
    expect(independentlyVerified(undo, await pemOf('alice')).ok).toBe(true);
    expect(await gw.g.blocks.has('acc-alice', mallory())).toBe(false);
    const like = { '@context': AS, id: `${blocked.origin}/likes/2`, type: 'Like', actor: mallory(), object: `${gw.url}/posts/p-after-block` };
    expect((await blocked.post(`${gw.url}/inbox`, like, { as: 'mallory' })).status).toBe(202);
    await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.created' && c.data.activityId === like.id), 'the like after the block was lifted');
  });

  test('a block of a platform account federates nothing and says why', async () => {
    expect(await outcomeOf(await send('block.created', { block: { id: 'b-2', accountId: 'acc-alice', target: { accountId: 'acc-carla' } } }))).toBe('local_target');
  });
});

test('a block of a follower whose server is down takes effect at once; the Block waits for the server', async () => {
  const down = await startRemoteServer();
  await addRemoteFollower(gw, 'acc-alice', down, 'victor');
  const victor = down.actorUri('victor');
  await down.close();
  const id = await send('block.created', { block: { id: 'b-3', accountId: 'acc-alice', target: { uri: victor } } }, at(60));
  expect(await outcomeOf(id)).toBe('applied');
  expect(await gw.g.blocks.has('acc-alice', victor)).toBe(true);
  expect(await gw.g.followers.get('acc-alice', victor)).toBeUndefined();
  const delivery = await gw.g.queues.delivery.getJob(jobIdOf('delivery', `${gw.url}/users/alice/blocks/b-3`, `${down.origin}/users/victor/inbox`));
  expect(delivery?.data).toMatchObject({ despiteBlock: true, inbox: `${down.origin}/users/victor/inbox` });
});

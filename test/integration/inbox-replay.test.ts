// Replay protection is keyed by signer and id: no actor can take (pre-empt) the replay key of
// another's activity, and an unverifiable self-Delete is queued once per actor, not per POST.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { enableAccount } from '../support/fixtures-setup';
import { type SignedActivity, inboxProcessed, replayKeyOf } from '../support/inbox-jobs';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { inboxReplayKey } from '../../services/inbox/replay-key';

const AS = 'https://www.w3.org/ns/activitystreams';
let victim: RemoteServer;
let evil: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
let postUri: string;

const likeBy = (server: RemoteServer, name: string, id: string) => ({ '@context': AS, id, type: 'Like', actor: server.actorUri(name), object: postUri });
const likeCreated = (activityId: string) => eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.created' && c.data.activityId === activityId), `like.created of ${activityId}`);
const outcomeOf = (a: SignedActivity) => eventually(async () => (await gw.g.queues.inbox.getJob(replayKeyOf(a)))?.returnvalue as { outcome: string } | undefined, `outcome of ${a.id}`);
const jobsCarrying = async (id: string) => (await gw.g.queues.inbox.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed', 'prioritized'])).filter((j) => j.data.activity.id === id);

beforeAll(async () => {
  victim = await startRemoteServer();
  evil = await startRemoteServer();
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-alice', 'alice');
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-1', 'acc-alice') } });
  await eventually(async () => (await gw.g.posts.get('p-1'))?.federated, 'p-1 federated');
  postUri = `${gw.url}/posts/p-1`;
});
afterAll(async () => {
  await gw.close();
  await victim.close();
  await evil.close();
  await sink.close();
});

test('an activity whose id is on another server than its signer is refused at once (401), and the real one is applied', async () => {
  const likeId = `${victim.origin}/users/vic#likes/1`;
  // evil signs as its own actor but names the victim's (predictable) activity id
  const forged = await evil.post(`${gw.url}/inbox`, likeBy(evil, 'eve', likeId), { as: 'eve' });
  expect(forged.status).toBe(401);
  expect(((await forged.json()) as { reason: string }).reason).toBe('id_origin_mismatch');
  expect(await jobsCarrying(likeId)).toEqual([]);
  expect((await victim.post(`${gw.url}/inbox`, likeBy(victim, 'vic', likeId), { as: 'vic' })).status).toBe(202);
  expect((await likeCreated(likeId)).data.actor).toMatchObject({ uri: victim.actorUri('vic') });
});

test("one actor's activity does not take the replay key of another actor's activity with the same id", async () => {
  // Same server, so the id passes the origin check: the replay key still tells the signers apart.
  const likeId = `${victim.origin}/users/vic#likes/2`;
  const bySam = likeBy(victim, 'sam', likeId);
  expect((await victim.post(`${gw.url}/inbox`, bySam, { as: 'sam' })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, bySam), "sam's like processed");
  const byVic = likeBy(victim, 'vic', likeId);
  expect((await victim.post(`${gw.url}/inbox`, byVic, { as: 'vic' })).status).toBe(202);
  expect(await outcomeOf(byVic)).toMatchObject({ outcome: 'applied', kind: 'like' });
  // The same actor's replay is still a duplicate.
  expect((await victim.post(`${gw.url}/inbox`, byVic, { as: 'vic' })).status).toBe(202);
  expect(await jobsCarrying(likeId)).toHaveLength(2);
});

test('an activity without an id is applied once, deduplicated by its bytes', async () => {
  const like = likeBy(victim, 'vic', `${victim.origin}/users/vic#likes/3`);
  expect((await victim.post(`${gw.url}/inbox`, like, { as: 'vic' })).status).toBe(202);
  await likeCreated(like.id);
  // Misskey-style Undo by reference, here without an id of its own.
  const undo = { '@context': AS, type: 'Undo', actor: victim.actorUri('vic'), object: like.id };
  expect((await victim.post(`${gw.url}/inbox`, undo, { as: 'vic' })).status).toBe(202);
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.deleted' && c.data.activityId === like.id), 'like.deleted');
  const idless = async () => (await gw.g.queues.inbox.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed'])).filter((j) => j.data.activity.type === 'Undo' && j.data.activity.object === like.id);
  const [job] = await idless();
  expect(job?.data.activityId).toMatch(/^urn:sha256:[0-9a-f]{64}$/);
  await eventually(() => inboxProcessed(gw.g, { id: job!.data.activityId, actor: victim.actorUri('vic') }), 'the Undo processed');
  expect((await victim.post(`${gw.url}/inbox`, undo, { as: 'vic' })).status).toBe(202);
  expect(await idless()).toHaveLength(1);
});

describe('an unverifiable self-Delete (no key to check it with)', () => {
  const stranger = createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey);
  const liveUser = () => victim.actorUri('live-user');
  const postDelete = (del: object) => evil.post(`${gw.url}/inbox`, del, { keyId: `${liveUser()}#nope`, privateKey: stranger });

  test('posted repeatedly, is queued once, not once per POST', async () => {
    const del = { '@context': AS, id: `${liveUser()}#delete`, type: 'Delete', actor: liveUser(), object: liveUser() };
    for (let i = 0; i < 5; i++) expect((await postDelete(del)).status).toBe(202);
    // Another id changes nothing: the key is the actor's.
    expect((await postDelete({ ...del, id: `${liveUser()}#delete-2` })).status).toBe(202);
    const key = inboxReplayKey({ signer: liveUser(), activityId: del.id, unverifiedGoneActor: true });
    const job = await eventually(async () => {
      const j = await gw.g.queues.inbox.getJob(key);
      return j?.returnvalue ? j : undefined;
    }, 'the unverified Delete processed');
    expect(job.returnvalue).toEqual({ outcome: 'ignored', reason: 'actor_not_gone' });
    expect([...(await jobsCarrying(del.id)), ...(await jobsCarrying(`${liveUser()}#delete-2`))]).toHaveLength(1);
  });

  test('once processed, a later copy is checked again (the actor may be gone by now), still in one job', async () => {
    const key = inboxReplayKey({ signer: liveUser(), activityId: 'any', unverifiedGoneActor: true });
    const first = await eventually(async () => (await gw.g.queues.inbox.getJob(key))?.finishedOn, 'the first check finished');
    const del = { '@context': AS, id: `${liveUser()}#delete-3`, type: 'Delete', actor: liveUser(), object: liveUser() };
    expect((await postDelete(del)).status).toBe(202);
    const again = await eventually(async () => {
      const j = await gw.g.queues.inbox.getJob(key);
      return j?.finishedOn && j.data.activity.id === del.id ? j : undefined;
    }, 'the copy checked');
    expect(again.finishedOn).toBeGreaterThanOrEqual(first);
    expect(again.returnvalue).toEqual({ outcome: 'ignored', reason: 'actor_not_gone' });
    expect(await jobsCarrying(`${liveUser()}#delete`)).toEqual([]);
  });
});

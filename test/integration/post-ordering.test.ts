// Per-inbox order of a post's activities, the receipts it leaves, and fan-out in batch jobs:
// an Update never overtakes its Create, a Delete waits for a Create in flight, and
// GET /platform/posts/{id}/federation says where a deleted post may still live.
import type { Job } from 'bullmq';
import type { DeliveryBatchJob, DeliveryJob } from '../../services/queue/jobs';
import { PostFederationSchema } from '../../services/platform/query-schemas';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
const remotes: RemoteServer[] = [];
const remote = async () => {
  const r = await startRemoteServer();
  remotes.push(r);
  return r;
};

beforeAll(async () => {
  gw = await startTestGateway({ workers: true, env: { DELIVERY_BATCH_SIZE: '2' } });
});

afterAll(async () => {
  await gw.close();
  await Promise.all(remotes.map((r) => r.close()));
});

type AnyDelivery = DeliveryJob | DeliveryBatchJob;

/** The single (split-off) delivery job of the post's `step` to `inbox`, once it is delayed. */
function delayedStep(postId: string, step: 'create' | 'update' | 'delete', inbox: string): Promise<Job<DeliveryJob>> {
  return eventually(async () => {
    const jobs = (await gw.g.queues.delivery.getJobs(['delayed'])) as Job<AnyDelivery>[];
    return jobs.find((j) => 'inbox' in j.data && j.data.inbox === inbox && j.data.postStep?.postId === postId && j.data.postStep.step === step) as Job<DeliveryJob> | undefined;
  }, `a delayed ${step} delivery`);
}

const ofNote = (postId: string) => (r: { json: Record<string, unknown> }) => JSON.stringify(r.json.object ?? '').includes(`/posts/${postId}`);

async function receipts(postId: string, token = TEST_SECRETS.PLATFORM_API_TOKEN) {
  const res = await fetch(`${gw.url}/platform/posts/${encodeURIComponent(postId)}/federation`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('an Update never overtakes its Create: it waits while the Create retries, then follows it', async () => {
  const r = await remote();
  await enableAccount(gw, 'a-ord1', 'ordone');
  await addRemoteFollower(gw, 'a-ord1', r);
  r.inboxReplies.push(503);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord1', 'a-ord1') } });
  const create = await delayedStep('p-ord1', 'create', `${r.origin}/inbox`);
  await sendEvents(gw.url, { id: eventId('u'), type: 'post.updated', occurredAt: at(2), data: { post: postData('p-ord1', 'a-ord1', { text: 'edited' }) } });
  const update = await delayedStep('p-ord1', 'update', `${r.origin}/inbox`);
  expect(update.data.waits).toBe(1);
  expect(update.delay).toBeGreaterThanOrEqual(30_000);
  expect(r.received.filter((x) => x.json.type === 'Update')).toEqual([]);

  await create.promote();
  await eventually(async () => (await gw.g.postReceipts.byServer('p-ord1'))[0]?.create.accepted === 1, 'the Create accepted');
  await update.promote();
  await eventually(() => r.received.some((x) => x.json.type === 'Update'), 'the Update');
  expect(r.received.filter(ofNote('p-ord1')).map((x) => x.json.type)).toEqual(['Create', 'Create', 'Update']);
});

test('an Update that finds the Create still queued waits again, longer each time', async () => {
  const r = await remote();
  await enableAccount(gw, 'a-ord2', 'ordtwo');
  await addRemoteFollower(gw, 'a-ord2', r);
  r.inboxReplies.push(503);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord2', 'a-ord2') } });
  await delayedStep('p-ord2', 'create', `${r.origin}/inbox`);
  await sendEvents(gw.url, { id: eventId('u'), type: 'post.updated', occurredAt: at(2), data: { post: postData('p-ord2', 'a-ord2', { text: 'edited' }) } });
  const update = await delayedStep('p-ord2', 'update', `${r.origin}/inbox`);
  await update.promote();
  await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob(update.id!);
    return j && (await j.isDelayed()) && 'inbox' in j.data && j.data.waits === 2 ? j : undefined;
  }, 'the Update waiting a second time');
  expect((await gw.g.queues.delivery.getJob(update.id!))!.delay).toBeGreaterThanOrEqual(60_000 - 1000);
  expect(r.received.filter((x) => x.json.type === 'Update')).toEqual([]);
});

test('a Delete waits while its Create is in flight, then follows it; the receipt says it was acknowledged', async () => {
  const r = await remote();
  let release!: () => void;
  const held = new Promise<number>((ok) => (release = () => ok(202)));
  r.inboxGate = (req) => (req.json.type === 'Create' ? held : 202);
  await enableAccount(gw, 'a-ord3', 'ordthree');
  await addRemoteFollower(gw, 'a-ord3', r);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord3', 'a-ord3') } });
  await eventually(() => r.received.some((x) => x.json.type === 'Create'), 'the Create in flight');
  await sendEvents(gw.url, { id: eventId('d'), type: 'post.deleted', occurredAt: at(2), data: { postId: 'p-ord3', accountId: 'a-ord3' } });
  const del = await delayedStep('p-ord3', 'delete', `${r.origin}/inbox`);
  expect((await receipts('p-ord3')).body).toMatchObject({ state: 'deleted', totals: { create: { pending: 1 } } });

  release();
  await eventually(async () => (await gw.g.postReceipts.byServer('p-ord3'))[0]?.create.accepted === 1, 'the Create accepted');
  await del.promote();
  await eventually(async () => (await gw.g.postReceipts.byServer('p-ord3'))[0]?.delete.acknowledged === 1, 'the Delete acknowledged');
  expect(r.received.filter(ofNote('p-ord3')).map((x) => x.json.type)).toEqual(['Create', 'Delete']);
  const { status, body } = await receipts('p-ord3');
  expect(status).toBe(200);
  expect(body).toMatchObject({ stillHeldBy: [], totals: { servers: 1, inboxes: 1, delete: { acknowledged: 1, failed: 0 } } });
});

test('receipts per server: accepted, failed; after the Delete, the servers that may still hold the post', async () => {
  const [ok, refusing, downForDelete] = [await remote(), await remote(), await remote()];
  await enableAccount(gw, 'a-ord4', 'ordfour');
  for (const r of [ok, refusing, downForDelete]) await addRemoteFollower(gw, 'a-ord4', r);
  refusing.inboxReplies.push(403);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord4', 'a-ord4') } });
  const live = await eventually(async () => {
    const { body } = await receipts('p-ord4');
    return (body.totals as { create: { pending: number } } | undefined)?.create.pending === 0 ? body : undefined;
  }, 'every Create settled');
  const parsed = PostFederationSchema.parse(live);
  const host = (r: RemoteServer) => new URL(r.origin).hostname;
  // Loopback servers share a hostname: one domain, three inboxes.
  expect(parsed.servers).toEqual([{ domain: host(ok), inboxes: 3, create: { accepted: 2, failed: 1, pending: 0, cancelled: 0 }, delete: { acknowledged: 0, failed: 0 } }]);
  expect(parsed).toMatchObject({ state: 'live', federated: true, stillHeldBy: [] });

  downForDelete.inboxReplies.push(503);
  await sendEvents(gw.url, { id: eventId('d'), type: 'post.deleted', occurredAt: at(2), data: { postId: 'p-ord4', accountId: 'a-ord4' } });
  await eventually(() => ok.received.some((x) => x.json.type === 'Delete') && downForDelete.received.some((x) => x.json.type === 'Delete'), 'both Deletes tried');
  const gone = await eventually(async () => {
    const { body } = await receipts('p-ord4');
    return (body.totals as { delete: { acknowledged: number } }).delete.acknowledged === 1 ? body : undefined;
  }, 'one Delete acknowledged');
  expect(gone).toMatchObject({ state: 'deleted', federated: false, stillHeldBy: [host(ok)], totals: { create: { accepted: 2, failed: 1 }, delete: { acknowledged: 1, failed: 0 } } });
  // The refusing server never had the post: no Delete went there.
  expect(refusing.received.filter((x) => x.json.type === 'Delete')).toEqual([]);
});

test('an inbox first reached by an Update (a mention added by an edit) gets the Delete too', async () => {
  const [follower, mentioned] = [await remote(), await remote()];
  await enableAccount(gw, 'a-ord6', 'ordsix');
  await addRemoteFollower(gw, 'a-ord6', follower);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord6', 'a-ord6') } });
  await eventually(() => follower.received.some((x) => x.json.type === 'Create'), 'the Create');
  const mentions = [{ uri: mentioned.actorUri('carol') }];
  await sendEvents(gw.url, { id: eventId('u'), type: 'post.updated', occurredAt: at(2), data: { post: postData('p-ord6', 'a-ord6', { text: 'now with carol', mentions }) } });
  await eventually(() => mentioned.received.some((x) => x.json.type === 'Update'), 'the Update at the mentioned server');
  // The Create never went to the mentioned server: an inbox reached, not a Create accepted.
  expect((await receipts('p-ord6')).body).toMatchObject({ totals: { inboxes: 2, create: { accepted: 1, pending: 0 } } });
  await sendEvents(gw.url, { id: eventId('d'), type: 'post.deleted', occurredAt: at(3), data: { postId: 'p-ord6', accountId: 'a-ord6' } });
  await eventually(() => mentioned.received.some((x) => x.json.type === 'Delete') && follower.received.some((x) => x.json.type === 'Delete'), 'the Delete at both');
  await eventually(async () => ((await receipts('p-ord6')).body.totals as { delete: { acknowledged: number } }).delete.acknowledged === 2, 'both Deletes acknowledged');
  // Still one Create accepted: the mentioned server only ever had the Update.
  expect((await receipts('p-ord6')).body).toMatchObject({ stillHeldBy: [], totals: { inboxes: 2, create: { accepted: 1 }, delete: { acknowledged: 2, failed: 0 } } });
  // A second Delete of it sends nothing more there (the post's Delete went, to both inboxes).
  const verdicts = await gw.g.postReceipts.step('p-ord6', 'delete', [`${follower.origin}/inbox`, `${mentioned.origin}/inbox`]);
  expect(verdicts).toEqual(['skip', 'skip']);
});

test('receipts: 404 for a post never seen, 401 without the platform token', async () => {
  expect((await receipts('p-never')).status).toBe(404);
  expect((await receipts('p-never', 'wrong-token-0123456789')).status).toBe(401);
});

test('a fan-out carries several inboxes per delivery job (DELIVERY_BATCH_SIZE)', async () => {
  const servers = await Promise.all(Array.from({ length: 5 }, () => remote()));
  await enableAccount(gw, 'a-ord5', 'ordfive');
  for (const r of servers) await addRemoteFollower(gw, 'a-ord5', r);
  const created = eventId('c');
  await sendEvents(gw.url, { id: created, type: 'post.created', occurredAt: at(1), data: { post: postData('p-ord5', 'a-ord5') } });
  await eventually(() => servers.every((r) => r.received.some((x) => x.json.type === 'Create')), 'every server got the Create');
  const jobs = await eventually(async () => {
    const done = ((await gw.g.queues.delivery.getJobs(['completed'])) as Job<AnyDelivery>[]).filter((j) => j.data.postStep?.postId === 'p-ord5');
    return done.length === 3 ? done : undefined;
  }, 'three delivery jobs completed');
  expect(jobs.map((j) => ('inboxes' in j.data ? j.data.inboxes.length : 1)).sort()).toEqual([1, 2, 2]);
  expect(jobs.every((j) => j.name === 'deliver-batch')).toBe(true);
});

// Deliveries and callbacks under failure: 5xx retried on the schedule, 4xx final, Retry-After
// honoured, callbacks retried with the same id until the platform takes them.
import type { Job } from 'bullmq';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { type DeliveryBatchJob, type DeliveryJob, jobIdOf } from '../../services/queue/jobs';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let posts = 0;

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'a-r', 'erin');
  await addRemoteFollower(gw, 'a-r', remote);
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

/** Posts once; returns the Create's delivery job to the remote shared inbox once it is in `state`. */
async function postAndWatch(state: 'delayed' | 'completed'): Promise<Job<DeliveryJob | DeliveryBatchJob>> {
  const id = `p-r${++posts}`;
  const created = eventId('c');
  await sendEvents(gw.url, { id: created, type: 'post.created', occurredAt: at(10 + posts), data: { post: postData(id, 'a-r') } });
  return eventually(async () => {
    const jobs = (await gw.g.queues.delivery.getJobs([state])) as Job<DeliveryJob | DeliveryBatchJob>[];
    const inboxes = (j: DeliveryJob | DeliveryBatchJob) => ('inboxes' in j ? j.inboxes : [j.inbox]);
    return jobs.find((j) => j.data.activityId.includes(`/${encodeURIComponent(created)}/`) && inboxes(j.data).includes(`${remote.origin}/inbox`) && !seen.has(j.id!) && (seen.add(j.id!), true));
  }, `a ${state} delivery job`);
}
const seen = new Set<string>();

test('a 5xx is retried on the Mastodon schedule, then delivered', async () => {
  remote.inboxReplies.push(503);
  // The fan-out's batch made the first attempt; the inbox split off into a job of its own.
  const job = await postAndWatch('delayed');
  expect(job.data).toMatchObject({ inbox: `${remote.origin}/inbox`, priorAttempts: 1 });
  expect(job.opts.attempts).toBe(15);
  // Attempt 1 waits 1^4 + 15 + rand(10)·2 seconds.
  expect(job.delay).toBeGreaterThanOrEqual(16_000);
  expect(job.delay).toBeLessThanOrEqual(34_000);
  await job.promote();
  await eventually(async () => (await gw.g.queues.delivery.getJob(job.id!))?.finishedOn, 'the retried delivery');
  const done = await gw.g.queues.delivery.getJob(job.id!);
  expect(await done?.isCompleted()).toBe(true);
  const noteId = (JSON.parse((await gw.g.activities.body(job.data.activityId))!) as { object: { id: string } }).object.id;
  // The remote saw two POSTs: the one it answered 503 and the retry.
  expect(remote.received.filter((r) => r.path === '/inbox' && (r.json.object as { id: string }).id === noteId)).toHaveLength(2);
});

test('a 4xx other than 401/408/429 is final: failed after one attempt, never retried', async () => {
  remote.inboxReplies.push(403);
  const batch = await postAndWatch('completed');
  expect(batch.returnvalue).toMatchObject({ failed: 1, split: 0 });
  // Recorded as a failed job of its own (operators see and may retry it), without a second POST.
  const failed = await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob(jobIdOf('delivery', batch.data.activityId, `${remote.origin}/inbox`));
    return j && (await j.isFailed()) ? j : undefined;
  }, 'the refusal recorded as a failed job');
  expect(failed.failedReason).toBe('http_403');
  expect(failed.attemptsMade).toBe(1);
  const noteId = (JSON.parse((await gw.g.activities.body(batch.data.activityId))!) as { object: { id: string } }).object.id;
  const postId = decodeURIComponent(noteId.split('/posts/')[1]!);
  expect(await gw.g.postReceipts.byServer(postId)).toEqual([expect.objectContaining({ create: { accepted: 0, failed: 1, pending: 0, cancelled: 0 } })]);
  const retries = (await gw.g.queues.delivery.getJobs(['delayed', 'waiting'])).filter((j) => j.data.activityId === batch.data.activityId);
  expect(retries).toEqual([]);
  const createId = (JSON.parse((await gw.g.activities.body(batch.data.activityId))!) as { id: string }).id;
  expect(remote.received.filter((r) => r.path === '/inbox' && r.json.id === createId)).toHaveLength(1);
});

test('a single delivery job answered 4xx fails after one attempt', async () => {
  remote.inboxReplies.push(403);
  const activity = { id: `${gw.url}/activities/manual-403`, type: 'Like', actor: `${gw.url}/users/erin`, object: `${remote.origin}/notes/1` };
  await gw.g.activities.save(activity);
  await gw.g.queues.delivery.add('deliver', { activityId: activity.id, signer: { accountId: 'a-r' }, inbox: `${remote.origin}/inbox` }, { jobId: 'manual-403' });
  const job = await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob('manual-403');
    return j && (await j.isFailed()) ? j : undefined;
  }, 'the failed 403 job');
  expect(job.attemptsMade).toBe(1);
  expect(job.failedReason).toBe('http_403');
});

test('429 with Retry-After waits at least as long as the server asked', async () => {
  const { createServer } = await import('node:http');
  const slow = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(429, { 'retry-after': '600' });
      res.end();
    });
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const inbox = `http://127.0.0.1:${(slow.address() as { port: number }).port}/inbox`;
  const activity = { id: `${gw.url}/activities/manual-429`, type: 'Like', actor: `${gw.url}/users/erin`, object: `${remote.origin}/notes/1` };
  await gw.g.activities.save(activity);
  await gw.g.queues.delivery.add('deliver', { activityId: activity.id, signer: { accountId: 'a-r' }, inbox }, { jobId: 'manual-429' });
  const job = await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob('manual-429');
    return j && (await j.isDelayed()) ? j : undefined;
  }, 'the delayed 429 job');
  expect(job.failedReason).toBe('http_429');
  expect(job.delay).toBeGreaterThanOrEqual(600_000);
  slow.close();
});

test('callbacks are retried while the platform answers 5xx, with the same id each time', async () => {
  sink.failures.push(503, 502);
  const like = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/retry`, type: 'Like', actor: remote.actorUri('bob'), object: `${gw.url}/posts/p-r1` };
  expect((await remote.post(`${gw.url}/inbox`, like)).status).toBe(202);
  const cb = await eventually(() => sink.callbacks.find((c) => c.data.activityId === like.id), 'the callback after two failures', 15000);
  const attempts = sink.attempts.filter((id) => id === cb.id);
  expect(attempts).toHaveLength(3);
  expect(cb.type).toBe('fediverse.like.created');
});

test('a Create still retrying when its post is deleted is cancelled: neither it nor the Delete reaches the inbox', async () => {
  remote.inboxReplies.push(503);
  const job = await postAndWatch('delayed');
  const noteId = (JSON.parse((await gw.g.activities.body(job.data.activityId))!) as { object: { id: string } }).object.id;
  const postId = decodeURIComponent(noteId.split('/posts/')[1]!);
  await sendEvents(gw.url, { id: eventId('d'), type: 'post.deleted', occurredAt: at(500), data: { postId, accountId: 'a-r' } });
  await eventually(async () => (await gw.g.postReceipts.byServer(postId))[0]?.create.cancelled === 1, 'the Create cancelled by the Delete');
  await eventually(async () => {
    const deletes = (await gw.g.queues.delivery.getJobs(['completed'])).filter((j) => j.data.postStep?.step === 'delete' && j.data.postStep.postId === postId);
    return deletes.length === 1 && deletes[0]!.returnvalue?.skipped === 1;
  }, 'the Delete job, sending nothing');
  expect(remote.received.filter((r) => r.json.type === 'Delete' && JSON.stringify(r.json.object).includes(noteId))).toEqual([]);
  await job.promote();
  const finished = await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob(job.id!);
    return j?.finishedOn ? j : undefined;
  }, 'the Create retry to finish');
  expect(finished.returnvalue).toEqual({ skipped: 'post no longer federated' });
  const creates = remote.received.filter((r) => r.json.type === 'Create' && (r.json.object as { id: string }).id === noteId);
  expect(creates).toHaveLength(1); // only the first attempt, answered 503
});

test('callbacks reach a platform on a private host even with the SSRF guard on', async () => {
  const { createGateway } = await import('../../services/gateway');
  const { createLogger } = await import('../../services/logger');
  const { testConfig } = await import('../support/test-config');
  const { runCallback } = await import('../../services/federation/callback-job');
  const { waitReady } = await import('../../services/store/redis');
  const localhostSink = sink.url.replace('127.0.0.1', 'localhost');
  const guarded = createGateway(testConfig({ ALLOW_PRIVATE_ADDRESSES: 'false', PLATFORM_CALLBACK_URL: localhostSink }), createLogger('silent'));
  try {
    await waitReady(guarded.redis);
    const actor = { uri: remote.actorUri('bob'), handle: `@bob@${new URL(remote.origin).host}`, name: 'bob', summaryHtml: '' };
    await runCallback(guarded, { id: 'cb-private', type: 'fediverse.like.created', occurredAt: at(0), data: { postId: 'x', accountId: 'acc-x', actor, activityId: `${remote.origin}/likes/1` } });
    expect(sink.callbacks.map((c) => c.id)).toContain('cb-private');
    // The same guard still refuses fediverse fetches to loopback.
    const refused = await guarded.fetchDocument(`${remote.origin}/users/bob`);
    expect(refused).toMatchObject({ ok: false, reason: 'blocked' });
  } finally {
    await guarded.close();
  }
});

// The operator's job API (/admin/jobs, bearer ADMIN_TOKEN): counts per queue, failed jobs, and
// retries with attempts reset. A delivery that really failed (the inbox answered 400) is listed,
// retried and delivered once the inbox answers 202.
import { QUEUE_LIST } from '../../services/queue/admin-schemas';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let posts = 0;

interface FailedItem { id: string; name: string; attemptsMade: number; attempts: number; failedReason: string; createdAt: string; finishedOn?: string; data: { inbox: string; activityId: string } }

const admin = (path: string, init: RequestInit = {}, token = TEST_SECRETS.ADMIN_TOKEN) =>
  fetch(`${gw.url}/admin/jobs${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
const retry = (queue: string, body: unknown) => admin(`/${queue}/retry`, { method: 'POST', body: JSON.stringify(body) });
const failedList = async (limit = 50) => (await (await admin(`/delivery/failed?limit=${limit}`)).json()) as { queue: string; failed: number; items: FailedItem[] };
const postsOf = (activityId: string) => remote.received.filter((r) => r.path === '/inbox' && r.json.id === activityId);

/** Posts once while the shared inbox answers 400: the delivery fails for good. Returns it as listed. */
async function failedDelivery(): Promise<FailedItem> {
  remote.inboxReplies.push(400);
  const event = eventId('c');
  expect((await sendEvents(gw.url, { id: event, type: 'post.created', occurredAt: at(++posts), data: { post: postData(`p-aj${posts}`, 'a-aj') } })).status).toBe(202);
  // The Create's id carries the event's.
  return eventually(async () => (await failedList()).items.find((j) => j.data.activityId.includes(encodeURIComponent(event))), `the failed delivery of ${event}`);
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'a-aj', 'jo');
  await addRemoteFollower(gw, 'a-aj', remote);
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

describe('refusals', () => {
  test('every endpoint needs the admin token', async () => {
    for (const [path, init] of [['', {}], ['/delivery/failed', {}], ['/delivery/retry', { method: 'POST', body: '{"all":true}' }]] as const) {
      const res = await admin(path, init, TEST_SECRETS.PLATFORM_API_TOKEN);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  test('a queue that does not exist is a 400 naming the parameter', async () => {
    for (const res of [await admin('/nope/failed'), await retry('toString', { all: true })]) {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { detail: string };
      expect(problem).toMatchObject({ errors: [{ parameter: 'queue' }] });
      expect(problem.detail).toContain('delivery');
    }
  });

  test('a bad limit is a 400 naming it', async () => {
    for (const limit of ['0', '501', 'ten', '1.5']) {
      const res = await admin(`/delivery/failed?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ parameter: 'limit' }] });
    }
  });

  test('a bad retry body is a 400 with the JSON pointer', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, '/jobIds'],
      [{ jobIds: ['1'], all: true }, '/jobIds'],
      [{ jobIds: [] }, '/jobIds'],
      [{ jobIds: [7] }, '/jobIds/0'],
      [{ all: false }, '/all'],
      [{ all: true, force: true }, '/force'],
    ];
    for (const [body, pointer] of cases) {
      const res = await retry('delivery', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ pointer }] });
    }
    expect((await admin('/delivery/retry', { method: 'POST', body: '{not json' })).status).toBe(400);
  });
});

test('counts every queue by state', async () => {
  const res = await admin('');
  expect(res.status).toBe(200);
  const { queues } = (await res.json()) as { queues: Array<Record<string, unknown>> };
  expect(queues.map((q) => q.queue)).toEqual(QUEUE_LIST);
  for (const q of queues) for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) expect(q[state]).toEqual(expect.any(Number));
  // The account.enabled event was applied.
  expect(queues.find((q) => q.queue === 'events')!.completed).toBeGreaterThanOrEqual(1);
});

test('a delivery the inbox refused is listed, retried with its attempts reset, and delivered once the inbox takes it', async () => {
  const job = await failedDelivery();
  expect(job).toMatchObject({ name: 'deliver', attemptsMade: 1, attempts: 16, failedReason: 'http_400', data: { inbox: `${remote.origin}/inbox` } });
  expect(Date.parse(job.finishedOn!)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
  const counts = (await (await admin('')).json()) as { queues: Array<{ queue: string; failed: number }> };
  expect(counts.queues.find((q) => q.queue === 'delivery')!.failed).toBe((await failedList()).failed);
  expect(postsOf(job.data.activityId)).toHaveLength(1);

  // The inbox answers 202 from now on (its reply queue is empty).
  const res = await retry('delivery', { jobIds: [job.id, 'no-such-job'] });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ queue: 'delivery', retried: 1, notRetried: [{ jobId: 'no-such-job', reason: 'not_found' }] });
  const done = await eventually(async () => {
    const j = await gw.g.queues.delivery.getJob(job.id);
    return j?.finishedOn && (await j.isCompleted()) ? j : undefined;
  }, 'the retried delivery to complete');
  // One attempt since the retry: the count started again from zero.
  expect(done.attemptsMade).toBe(1);
  expect(postsOf(job.data.activityId)).toHaveLength(2);
  expect((await failedList()).items.map((j) => j.id)).not.toContain(job.id);

  // A job that is no longer failed is not run again.
  expect(await (await retry('delivery', { jobIds: [job.id] })).json()).toEqual({ queue: 'delivery', retried: 0, notRetried: [{ jobId: job.id, reason: 'not_failed', state: 'completed' }] });
  expect(postsOf(job.data.activityId)).toHaveLength(2);
});

test('all: true retries every failed job of the queue', async () => {
  const jobs = [await failedDelivery(), await failedDelivery()];
  expect((await failedList()).failed).toBe(2);
  expect((await failedList(1)).items).toHaveLength(1);
  const res = await retry('delivery', { all: true });
  expect(await res.json()).toEqual({ queue: 'delivery', retried: 2, notRetried: [] });
  for (const job of jobs) await eventually(() => postsOf(job.data.activityId).length === 2, `the second POST of ${job.id}`);
  await eventually(async () => (await failedList()).failed === 0, 'no failed deliveries');
  // Nothing failed in the other queues: retrying them all is a no-op.
  expect(await (await retry('events', { all: true })).json()).toEqual({ queue: 'events', retried: 0, notRetried: [] });
});

// POST /platform/events: authentication, validation, idempotency, durability and ordering.
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { signPayload } from '../../services/platform/hmac';
import { TEST_SECRETS } from '../support/test-config';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const queuedEventIds = async () => (await gw.g.queues.events.getJobs(['waiting'])).map((j) => j.data.id);

describe('authentication', () => {
  const event = () => ({ id: eventId('auth'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-auth', 'authy') } });

  test('a wrong HMAC is refused with 401 and nothing is queued', async () => {
    const e = event();
    const res = await sendEvents(gw.url, e, { secret: 'not-the-secret-at-all' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toBe('X-Signature mismatch');
    expect(await queuedEventIds()).not.toContain(e.id);
  });

  test('a timestamp older than 5 minutes is refused as stale', async () => {
    const res = await sendEvents(gw.url, event(), { t: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe('X-Signature stale');
  });

  test('a missing X-Signature is refused', async () => {
    const res = await fetch(`${gw.url}/platform/events`, { method: 'POST', body: JSON.stringify(event()) });
    expect(res.status).toBe(401);
  });

  test('a signature over different bytes than were sent is refused', async () => {
    const e = event();
    const res = await fetch(`${gw.url}/platform/events`, {
      method: 'POST',
      headers: { 'x-signature': signPayload(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, JSON.stringify(e)) },
      body: JSON.stringify({ ...e, id: 'swapped' }),
    });
    expect(res.status).toBe(401);
  });
});

describe('validation', () => {
  test('a batch with one bad event is refused whole, naming the event and each bad field', async () => {
    const good = { id: eventId('good'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-v', 'valid') } };
    const bad = { id: 'bad-1', type: 'post.created', occurredAt: 'yesterday', data: { post: { ...postData('p-v', 'a-v'), visibility: 'everyone' } } };
    const res = await sendEvents(gw.url, { events: [good, bad] });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ pointer: string; eventId?: string }> };
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/events/1/occurredAt', eventId: 'bad-1' }),
        expect.objectContaining({ pointer: '/events/1/data/post/visibility', eventId: 'bad-1' }),
      ]),
    );
    expect(problem.errors.every((e) => e.pointer.startsWith('/events/1/'))).toBe(true);
    expect(await queuedEventIds()).not.toContain(good.id);
  });

  test('an event type the gateway does not apply is refused, not accepted and dropped', async () => {
    const res = await sendEvents(gw.url, { id: eventId('x'), type: 'poll.created', occurredAt: at(0), data: {} });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ pointer: string }> }).errors[0]!.pointer).toBe('/type');
  });

  test('malformed JSON, oversize bodies and oversize batches get clear 4xx answers', async () => {
    const malformed = await sendEvents(gw.url, undefined, { raw: '{"id": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');

    const huge = await sendEvents(gw.url, undefined, { raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) });
    expect(huge.status).toBe(413);

    const many = Array.from({ length: 501 }, (_, i) => ({ id: `m${i}`, type: 'post.deleted', occurredAt: at(0), data: { postId: 'p', accountId: 'a' } }));
    const tooMany = await sendEvents(gw.url, { events: many });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errors: Array<{ pointer: string }> }).errors[0]!.pointer).toBe('/events');
  });
});

describe('idempotency and durability', () => {
  test('a repeated event id is acknowledged as a duplicate and queued once', async () => {
    const e = { id: eventId('dup'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-dup', 'dupe') } };
    const first = (await (await sendEvents(gw.url, e)).json()) as { accepted: string[]; duplicates: string[] };
    const second = (await (await sendEvents(gw.url, { events: [e] })).json()) as { accepted: string[]; duplicates: string[] };
    expect(first).toEqual({ accepted: [e.id], duplicates: [] });
    expect(second).toEqual({ accepted: [], duplicates: [e.id] });
    expect((await queuedEventIds()).filter((id) => id === e.id)).toHaveLength(1);
  });

  test('202 means the event is in Redis: a fresh process finds the job', async () => {
    const e = { id: eventId('durable'), type: 'post.deleted', occurredAt: at(0), data: { postId: 'p-d', accountId: 'a-d' } };
    expect((await sendEvents(gw.url, e)).status).toBe(202);
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const { queuePrefix } = await import('../../config/queues');
    const conn = new Redis(gw.g.config.redisUrl!);
    const fresh = new Queue('events', { connection: conn, prefix: queuePrefix(gw.g.config.redisPrefix, 'events') });
    const jobs = await fresh.getJobs(['waiting']);
    expect(jobs.map((j) => j.data.id)).toContain(e.id);
    await fresh.close();
    conn.disconnect();
  });

  test('with Redis unreachable the answer is 503 with Retry-After, quickly', async () => {
    // The test gateway waits for Redis; build the app over a dead Redis by hand instead.
    const { createGateway } = await import('../../services/gateway');
    const { createApp } = await import('../../services/http/app');
    const { createLogger } = await import('../../services/logger');
    const { testConfig } = await import('../support/test-config');
    const g = createGateway(testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), createLogger('silent'));
    const server = createApp(g).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const started = Date.now();
    const res = await sendEvents(`http://127.0.0.1:${port}`, { id: 'e-503', type: 'post.deleted', occurredAt: at(0), data: { postId: 'p', accountId: 'a' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(5000);
    server.close();
    await g.close();
  });
});

describe('ordering by occurredAt (with workers)', () => {
  let remote: RemoteServer;
  let live: TestGateway;
  beforeAll(async () => {
    remote = await startRemoteServer();
    live = await startTestGateway({ workers: true });
    await sendEvents(live.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-o', 'orderly') } });
    await eventually(async () => (await live.g.accounts.get('a-o'))?.state === 'enabled', 'account enabled');
    await live.g.followers.add('a-o', { actor: remote.actorUri('bob'), inbox: `${remote.origin}/users/bob/inbox`, sharedInbox: `${remote.origin}/inbox`, followId: `${remote.origin}/f/1`, since: at(0) });
  });
  afterAll(async () => {
    await live.close();
    await remote.close();
  });

  test('a post.created processed after its post.deleted federates nothing and the post stays gone', async () => {
    const del = { id: eventId('del'), type: 'post.deleted', occurredAt: at(20), data: { postId: 'p-late', accountId: 'a-o' } };
    const create = { id: eventId('cre'), type: 'post.created', occurredAt: at(10), data: { post: postData('p-late', 'a-o') } };
    expect((await sendEvents(live.url, del)).status).toBe(202);
    await eventually(async () => live.g.dedupe.isEventApplied(del.id), 'delete applied');
    expect((await sendEvents(live.url, create)).status).toBe(202);
    await eventually(async () => live.g.dedupe.isEventApplied(create.id), 'create applied');
    // A later post proves deliveries are flowing, so the absence of p-late is not just slowness.
    await sendEvents(live.url, { id: eventId('cre2'), type: 'post.created', occurredAt: at(30), data: { post: postData('p-other', 'a-o') } });
    await eventually(() => remote.received.find((r) => (r.json.object as { id?: string })?.id?.endsWith('/posts/p-other')), 'the other post');
    expect(remote.received.filter((r) => JSON.stringify(r.json).includes('/posts/p-late'))).toEqual([]);
    expect((await fetch(`${live.url}/posts/p-late`)).status).toBe(410);
  });

  test('an older update arriving after a newer one does not overwrite it', async () => {
    const post = postData('p-upd', 'a-o');
    await sendEvents(live.url, { id: eventId('c'), type: 'post.created', occurredAt: at(40), data: { post } });
    await sendEvents(live.url, { id: eventId('u2'), type: 'post.updated', occurredAt: at(60), data: { post: { ...post, text: 'newest' } } });
    const old = { id: eventId('u1'), type: 'post.updated', occurredAt: at(50), data: { post: { ...post, text: 'older' } } };
    await eventually(async () => (await live.g.posts.get('p-upd'))?.post?.text === 'newest', 'newest applied');
    await sendEvents(live.url, old);
    await eventually(async () => live.g.dedupe.isEventApplied(old.id), 'old update processed');
    expect((await live.g.posts.get('p-upd'))?.post?.text).toBe('newest');
    const res = await fetch(`${live.url}/posts/p-upd`, { headers: { accept: 'application/activity+json' } });
    expect(((await res.json()) as { content: string }).content).toBe('<p>newest</p>');
  });

  test('a post held back by moderation (federate: false) sends nothing; turning false later deletes it remotely', async () => {
    const held = postData('p-held', 'a-o', { federate: false });
    await sendEvents(live.url, { id: eventId('h'), type: 'post.created', occurredAt: at(70), data: { post: held } });
    const shown = postData('p-shown', 'a-o');
    await sendEvents(live.url, { id: eventId('s'), type: 'post.created', occurredAt: at(70), data: { post: shown } });
    await eventually(() => remote.received.find((r) => r.json.type === 'Create' && (r.json.object as { id: string }).id.endsWith('/posts/p-shown')), 'shown post');
    await sendEvents(live.url, { id: eventId('s2'), type: 'post.updated', occurredAt: at(80), data: { post: { ...shown, federate: false } } });
    await eventually(() => remote.received.find((r) => r.json.type === 'Delete' && JSON.stringify(r.json.object).includes('/posts/p-shown')), 'Delete of the held-back post');
    expect(remote.received.filter((r) => JSON.stringify(r.json).includes('/posts/p-held'))).toEqual([]);
    expect((await fetch(`${live.url}/posts/p-held`)).status).toBe(404);
  });
});

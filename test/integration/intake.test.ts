// POST /platform/events: authentication, validation, idempotency, durability and ordering.
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
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
    try {
      const started = Date.now();
      const res = await sendEvents(`http://127.0.0.1:${port}`, { id: 'e-503', type: 'post.deleted', occurredAt: at(0), data: { postId: 'p', accountId: 'a' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(5000);
      // Reads answer 503 too instead of waiting for Redis to come back.
      for (const path of ['/users/alice', '/.well-known/webfinger?resource=acct:alice@localhost:8080', '/posts/p1', '/metrics', '/nodeinfo/2.1']) {
        const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { accept: 'application/activity+json' } });
        expect([path, r.status]).toEqual([path, 503]);
      }
    } finally {
      server.close();
      await g.close();
    }
  });
});

describe('what the store already holds', () => {
  test('a direct ("mentioned") post is accepted and queued (it goes to the mentioned actors only)', async () => {
    const e = { id: eventId('dm'), type: 'post.created', occurredAt: at(0), data: { post: postData('p-dm', 'a-dm', { visibility: 'mentioned', mentions: [{ handle: '@bob@remote.example' }] }) } };
    const res = await sendEvents(gw.url, e);
    expect(res.status).toBe(202);
    expect(await queuedEventIds()).toContain(e.id);
  });

  test('a username change of a federated account is refused with the field named', async () => {
    await gw.g.accounts.save(accountData('a-ren', 'renamer') as never, new Date(at(0)), true);
    const res = await sendEvents(gw.url, { events: [{ id: eventId('ren'), type: 'account.updated', occurredAt: at(5), data: { account: accountData('a-ren', 'renamed') } }] });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ pointer: string; message: string }> };
    expect(problem.errors[0]!.pointer).toBe('/events/0/data/account/username');
    expect(problem.errors[0]!.message).toContain('renamer');
  });

  test('an event whose job failed for good is taken again when the platform resends it', async () => {
    const { UnrecoverableError, Worker } = await import('bullmq');
    const { queuePrefix } = await import('../../config/queues');
    const e = { id: eventId('fail'), type: 'post.deleted', occurredAt: at(0), data: { postId: 'p-f', accountId: 'a-f' } };
    expect((await sendEvents(gw.url, e)).status).toBe(202);
    const connection = gw.g.queueRedis.duplicate();
    const failing = new Worker('events', async () => {
      throw new UnrecoverableError('simulated permanent failure');
    }, { connection, prefix: queuePrefix(gw.g.config.redisPrefix, 'events') });
    await eventually(async () => (await gw.g.queues.events.getJobs(['failed'])).some((j) => j.data.id === e.id), 'the job to fail');
    await failing.close();
    connection.disconnect();
    const again = (await (await sendEvents(gw.url, e)).json()) as { accepted: string[]; duplicates: string[] };
    expect(again).toEqual({ accepted: [e.id], duplicates: [] });
    expect(await queuedEventIds()).toContain(e.id);
  });
});

describe('ordering by occurredAt (with workers)', () => {
  let remote: RemoteServer;
  let live: TestGateway;
  beforeAll(async () => {
    remote = await startRemoteServer();
    live = await startTestGateway({ workers: true });
    await enableAccount(live, 'a-o', 'orderly');
    await addRemoteFollower(live, 'a-o', remote);
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

  test("a post of an account whose account.updated overtook its account.enabled waits instead of being dropped", async () => {
    await sendEvents(live.url, { id: eventId('upd-first'), type: 'account.updated', occurredAt: at(2), data: { account: accountData('a-late', 'latecomer') } });
    await eventually(async () => (await live.g.accounts.get('a-late'))?.state === 'pending', 'pending account');
    await live.g.followers.add('a-late', { actor: remote.actorUri('bob'), inbox: `${remote.origin}/users/bob/inbox`, sharedInbox: `${remote.origin}/inbox`, followId: `${remote.origin}/f/late`, since: at(0) });
    const post = { id: eventId('late-post'), type: 'post.created', occurredAt: at(3), data: { post: postData('p-latecomer', 'a-late') } };
    await sendEvents(live.url, post);
    await eventually(async () => ((await live.g.queues.events.getJob((await import('../../services/platform/intake')).eventJobId(post.id)))?.attemptsMade ?? 0) >= 1, 'a first, refused attempt');
    expect(await live.g.dedupe.isEventApplied(post.id)).toBe(false);
    await sendEvents(live.url, { id: eventId('en-late'), type: 'account.enabled', occurredAt: at(1), data: { account: accountData('a-late', 'latecomer') } });
    await eventually(() => remote.received.find((r) => r.json.type === 'Create' && (r.json.object as { id: string }).id.endsWith('/posts/p-latecomer')), 'the post after the account is enabled', 15000);
  });

  test("an event naming another account than the post's owner changes nothing", async () => {
    await sendEvents(live.url, { id: eventId('en-x'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-x', 'other') } });
    await eventually(async () => (await live.g.accounts.get('a-x'))?.state === 'enabled', 'other enabled');
    const post = postData('p-owned', 'a-o');
    await sendEvents(live.url, { id: eventId('own'), type: 'post.created', occurredAt: at(90), data: { post } });
    await eventually(async () => (await live.g.posts.get('p-owned'))?.federated, 'owned post');
    const hijack = { id: eventId('hij'), type: 'post.updated', occurredAt: at(95), data: { post: { ...post, accountId: 'a-x', text: 'hijacked' } } };
    await sendEvents(live.url, hijack);
    await eventually(async () => live.g.dedupe.isEventApplied(hijack.id), 'hijack processed');
    expect((await live.g.posts.get('p-owned'))?.post?.text).toBe(post.text);
    expect((await live.g.posts.get('p-owned'))?.accountId).toBe('a-o');
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

// Domain blocks through /admin/domain-blocks: nothing comes in from a blocked domain (refused
// before any key fetch), nothing goes out to it (fan-out, queued deliveries, fetches, WebFinger),
// and its followers are dropped from every local account.
import { randomUUID } from 'node:crypto';
import { fanout } from '../../services/federation/fanout';
import { handleInbound } from '../../services/federation/handle-inbound';
import { enqueueDeliveries } from '../../services/federation/enqueue';
import { jobIdOf } from '../../services/queue/jobs';
import { parseHandle } from '../../services/activitypub/handles';
import { lookupWebfinger } from '../../services/remote/webfinger';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
let sink: PlatformSink;
let blocked: RemoteServer;
let friendly: RemoteServer;
let gw: TestGateway;

const admin = (path: string, init: RequestInit = {}, token = TEST_SECRETS.ADMIN_TOKEN) =>
  fetch(`${gw.url}/admin/domain-blocks${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
const update = (id: string, username: string): { id: string; actor: string } => {
  const activity = { '@context': AS, id, type: 'Update', actor: `${gw.url}/users/${username}`, object: `${gw.url}/users/${username}` };
  return activity;
};
const hostOf = (s: RemoteServer) => new URL(s.origin).host;
const follow = (s: RemoteServer, name: string, username: string) =>
  s.post(`${gw.url}/users/${username}/inbox`, { '@context': AS, id: `${s.origin}/follows/${randomUUID()}`, type: 'Follow', actor: s.actorUri(name), object: `${gw.url}/users/${username}` }, { as: name });

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  [blocked, friendly] = await Promise.all([startRemoteServer(), startRemoteServer()]);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  for (const [id, username] of [['a-ana', 'ana'], ['a-ben', 'ben']]) {
    expect((await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData(id!, username!) } })).status).toBe(202);
  }
  // Events apply concurrently: wait for each account, not only the last one sent.
  for (const username of ['ana', 'ben']) {
    await eventually(async () => (await fetch(`${gw.url}/users/${username}`)).status === 200, `${username} to be served`);
  }
});

afterAll(async () => {
  await gw.close();
  await Promise.all([blocked.close(), friendly.close()]);
  await sink.close();
});

describe('the admin API', () => {
  test('needs the admin token', async () => {
    expect((await admin('', {}, TEST_SECRETS.PLATFORM_API_TOKEN)).status).toBe(401);
  });

  test('refuses a domain that is not a host name, naming the field', async () => {
    const res = await admin(`/${encodeURIComponent('https://bad.example/x')}`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ errors: [{ parameter: 'domain' }] });
  });

  test('refuses a bad body, naming the field', async () => {
    const res = await admin('/spam.example', { method: 'PUT', body: JSON.stringify({ comment: 5 }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ pointer: '/comment' }] });
    expect((await admin('/spam.example', { method: 'PUT', body: JSON.stringify({ severity: 'x' }) })).status).toBe(400);
  });

  test('creates, updates, lists, reads and lifts a block; the domain is lower-cased', async () => {
    const created = await admin('/Spam.Example', { method: 'PUT', body: JSON.stringify({ comment: 'spam' }) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ domain: 'spam.example', comment: 'spam' });
    const updated = await admin('/spam.example', { method: 'PUT', body: JSON.stringify({ comment: 'still spam' }) });
    expect(updated.status).toBe(200);
    expect(await (await admin('')).json()).toEqual({ items: [expect.objectContaining({ domain: 'spam.example', comment: 'still spam' })] });
    expect(await (await admin('/spam.example')).json()).toMatchObject({ domain: 'spam.example' });
    expect(await gw.g.domainBlocks.blockOfUrl('https://media.spam.example/x')).toBe('spam.example');
    expect((await admin('/spam.example', { method: 'DELETE' })).status).toBe(204);
    expect((await admin('/spam.example', { method: 'DELETE' })).status).toBe(404);
    expect((await admin('/spam.example')).status).toBe(404);
    expect(await gw.g.domainBlocks.blockOfUrl('https://spam.example/x')).toBeUndefined();
  });
});

describe('a blocked domain', () => {
  beforeAll(async () => {
    // Followers on both servers before the block.
    for (const [server, name] of [[blocked, 'bob'], [blocked, 'bea'], [friendly, 'fay']] as const) {
      for (const username of ['ana', 'ben']) expect((await follow(server, name, username)).status).toBe(202);
    }
    await eventually(async () => (await gw.g.followers.count('a-ana')) === 3 && (await gw.g.followers.count('a-ben')) === 3, 'six follows');
    expect((await admin(`/${hostOf(blocked)}`, { method: 'PUT', body: JSON.stringify({ comment: 'abuse' }) })).status).toBe(201);
  });

  test('loses its followers on every local account; the platform is told why', async () => {
    await eventually(async () => (await gw.g.followers.count('a-ana')) === 1 && (await gw.g.followers.count('a-ben')) === 1, 'the blocked followers to go');
    expect(await gw.g.followers.get('a-ana', friendly.actorUri('fay'))).toBeDefined();
    const removed = await eventually(() => {
      const found = sink.callbacks.filter((c) => c.type === 'fediverse.follower.removed');
      return found.length === 4 && found;
    }, 'four follower.removed callbacks');
    expect(removed.map((c) => `${c.data.accountId} ${c.data.follower.uri}`).sort()).toEqual(
      ['a-ana', 'a-ben'].flatMap((a) => [`${a} ${blocked.actorUri('bea')}`, `${a} ${blocked.actorUri('bob')}`]).sort(),
    );
    expect(removed.every((c) => c.data.reason === 'domain_blocked')).toBe(true);
    expect(await gw.g.followers.accountsFollowedBy(blocked.actorUri('bob'))).toEqual([]);
  });

  test('is refused at the inbox with 403 before any key is fetched', async () => {
    // A server never heard from before: without the block its valid signature would be accepted.
    const fresh = await startRemoteServer();
    try {
      expect((await admin(`/${hostOf(fresh)}`, { method: 'PUT' })).status).toBe(201);
      const like = { '@context': AS, id: `${fresh.origin}/likes/1`, type: 'Like', actor: fresh.actorUri('zed'), object: `${gw.url}/users/ana` };
      const res = await fresh.post(`${gw.url}/inbox`, like, { as: 'zed' });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ reason: 'domain_blocked' });
      // Neither its key nor its actor was fetched (two keys of their own slots: two EXISTS).
      for (const key of [gw.g.keys.remoteKey(`${fresh.origin}/users/zed#main-key`), gw.g.keys.remoteActor(fresh.actorUri('zed'))]) expect(await gw.g.redis.exists(key)).toBe(0);
      // A key on a blocked domain is refused too, whatever the actor claims.
      const viaKey = await friendly.post(`${gw.url}/inbox`, { ...like, id: `${friendly.origin}/likes/1`, actor: friendly.actorUri('fay') }, { keyId: `${fresh.origin}/users/zed#main-key` });
      expect(viaKey.status).toBe(403);
    } finally {
      await fresh.close();
    }
  });

  test('an activity it sent before the block, still queued, is not applied', async () => {
    const like = { '@context': AS, id: `${blocked.origin}/likes/queued`, type: 'Like', actor: blocked.actorUri('bob'), object: `${gw.url}/users/ana` };
    const job = { activity: like, activityId: like.id, signer: like.actor, receivedAt: new Date().toISOString() };
    expect(await handleInbound(gw.g, job)).toEqual({ outcome: 'ignored', reason: 'domain_blocked' });
  });

  test('gets no delivery job at fan-out; other servers do', async () => {
    const activityId = `${gw.url}/activities/${randomUUID()}`;
    await gw.g.activities.save(update(activityId, 'ana'));
    const inboxes = [`${blocked.origin}/inbox`, `${friendly.origin}/inbox`];
    expect(await fanout(gw.g, { activityId, signer: { accountId: 'a-ana' }, audience: 'followers', toFollowers: false, extraInboxes: inboxes })).toEqual({ inboxes: 1 });
    // No delivery job, single or batch, carries the blocked inbox.
    const queued = await gw.g.queues.delivery.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    expect(queued.filter((j) => j.data.activityId === activityId && ('inboxes' in j.data ? j.data.inboxes : [j.data.inbox]).includes(inboxes[0]!))).toEqual([]);
    await eventually(() => friendly.received.find((r) => r.json.id === activityId), 'the delivery to the other server');
  });

  test('a delivery queued before the block is skipped when it runs', async () => {
    const activityId = `${gw.url}/activities/${randomUUID()}`;
    await gw.g.activities.save(update(activityId, 'ben'));
    const later = await startRemoteServer();
    try {
      await enqueueDeliveries(gw.g, activityId, { accountId: 'a-ben' }, [`${later.origin}/inbox`], undefined, { delayMs: 300 });
      expect((await admin(`/${hostOf(later)}`, { method: 'PUT' })).status).toBe(201);
      const id = jobIdOf('delivery', activityId, `${later.origin}/inbox`);
      await eventually(async () => (await gw.g.queues.delivery.getJob(id))?.isCompleted(), 'the queued delivery to run');
      // Read again once completed: a copy read while it ran has no return value.
      const job = (await gw.g.queues.delivery.getJob(id))!;
      expect(job.returnvalue).toEqual({ skipped: 'domain blocked' });
      expect(later.received).toHaveLength(0);
    } finally {
      await later.close();
    }
  });

  test('is never fetched from, nor asked by WebFinger', async () => {
    expect(await gw.g.fetchDocument(blocked.actorUri('bob'))).toMatchObject({ ok: false, reason: 'blocked' });
    const webfinger = await lookupWebfinger(
      { agent: gw.g.agent, allowPrivateAddresses: true, userAgent: gw.g.userAgent, blockOfUrl: gw.g.domainBlocks.blockOfUrl },
      parseHandle(`@bob@${hostOf(blocked)}`)!,
    );
    expect(webfinger).toMatchObject({ ok: false, reason: 'blocked' });
  });

  test('lifting the block lets it in again', async () => {
    expect((await admin(`/${hostOf(blocked)}`, { method: 'DELETE' })).status).toBe(204);
    expect((await follow(blocked, 'bob', 'ana')).status).toBe(202);
    await eventually(() => gw.g.followers.get('a-ana', blocked.actorUri('bob')), 'bob to follow again');
  });
});

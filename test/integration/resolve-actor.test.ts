// ActorRef resolution against real servers: handles by WebFinger over https (test CA), URIs by
// actor fetch, local accounts by id, handle or URI; failures say whether to retry.
import { resolveActorRef } from '../../services/federation/resolve-actor';
import { makeTestCa, type TestCa } from '../e2e/support/tls';
import { enableAccount } from '../support/fixtures-setup';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let ca: TestCa;
let remote: RemoteServer;
let gw: TestGateway;

beforeAll(async () => {
  ca = await makeTestCa();
  remote = await startRemoteServer({ tls: ca, host: 'localhost' });
  gw = await startTestGateway({ workers: true, extraCaPem: ca.caCertPem });
  await enableAccount(gw, 'acc-rita', 'rita');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await ca.cleanup();
});

const host = () => new URL(remote.origin).host;

test('a remote handle resolves through WebFinger over https to the actor and its inboxes', async () => {
  const found = await resolveActorRef(gw.g, { handle: `@bob@${host()}` });
  expect(found).toMatchObject({ ok: true, actor: { kind: 'remote', uri: remote.actorUri('bob'), inbox: `${remote.origin}/users/bob/inbox`, sharedInbox: `${remote.origin}/inbox` } });
  // Cached: the second lookup needs no WebFinger round trip.
  expect(await gw.g.redis.get(gw.g.keys.webfinger(`@bob@${host()}`))).toBe(remote.actorUri('bob'));
});

test('a remote URI resolves by fetching the actor', async () => {
  expect(await resolveActorRef(gw.g, { uri: remote.actorUri('carl') })).toMatchObject({ ok: true, actor: { kind: 'remote', uri: remote.actorUri('carl') } });
});

test('local accounts resolve by id, by handle on our domain and by actor URI', async () => {
  const local = { ok: true, actor: { kind: 'local', accountId: 'acc-rita', username: 'rita', uri: `${gw.url}/users/rita` } };
  expect(await resolveActorRef(gw.g, { accountId: 'acc-rita' })).toEqual(local);
  expect(await resolveActorRef(gw.g, { handle: `@rita@${gw.g.config.handleDomain}` })).toEqual(local);
  expect(await resolveActorRef(gw.g, { uri: `${gw.url}/users/rita` })).toEqual(local);
  expect(await resolveActorRef(gw.g, { accountId: 'acc-nobody' })).toMatchObject({ ok: false, reason: 'not_found' });
});

test('an unknown handle is not_found; an unreachable server is unavailable', async () => {
  remote.goneActors.add('ghost');
  expect(await resolveActorRef(gw.g, { handle: `@ghost@${host()}` })).toMatchObject({ ok: false, reason: 'not_found' });
  expect(await resolveActorRef(gw.g, { handle: '@x@localhost:9' })).toMatchObject({ ok: false, reason: 'unavailable' });
  expect(await resolveActorRef(gw.g, { handle: 'not a handle' })).toMatchObject({ ok: false, reason: 'invalid' });
});

test('the following store tracks a follow from pending to accepted and back out', async () => {
  const f = gw.g.following;
  const target = remote.actorUri('bob');
  await f.request('acc-rita', { target, followId: 'pf-1', activityId: `${gw.url}/follows/1`, inbox: `${remote.origin}/users/bob/inbox`, since: new Date().toISOString() });
  expect(await f.get('acc-rita', target)).toMatchObject({ state: 'pending', followId: 'pf-1' });
  expect(await f.byActivityId(`${gw.url}/follows/1`)).toEqual({ accountId: 'acc-rita', target });
  expect(await f.localFollowersOf(target)).toEqual([]);
  expect(await f.accept('acc-rita', target)).toMatchObject({ state: 'accepted' });
  expect(await f.localFollowersOf(target)).toEqual(['acc-rita']);
  expect(await f.count('acc-rita')).toBe(1);
  expect(await f.remove('acc-rita', target)).toMatchObject({ followId: 'pf-1' });
  expect(await f.localFollowersOf(target)).toEqual([]);
  expect(await f.byActivityId(`${gw.url}/follows/1`)).toBeUndefined();
  expect(await f.accept('acc-rita', target)).toBeUndefined();
});

// A local account follows remote actors over real https (WebFinger, test CA): the signed Follow,
// the Accept in its three forms, a Reject, an unknown target, the Undo, and local targets refused.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FollowTargetUnavailableError } from '../../services/federation/apply-follow';
import { applyPlatformEvent } from '../../services/federation/apply-platform-event';
import { makeTestCa, type TestCa } from '../e2e/support/tls';
import { enableAccount } from '../support/fixtures-setup';
import { independentlyVerified } from '../support/independent-verify';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { inboxProcessed } from '../support/inbox-jobs';

const AS = 'https://www.w3.org/ns/activitystreams';
let ca: TestCa;
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
let alicePem: string;

beforeAll(async () => {
  ca = await makeTestCa();
  remote = await startRemoteServer({ tls: ca, host: 'localhost' });
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, extraCaPem: ca.caCertPem, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-alice', 'alice');
  alicePem = (await gw.g.accounts.keys('acc-alice'))!.publicKeyPem;
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
  await ca.cleanup();
});

const handle = (name: string) => `@${name}@${new URL(remote.origin).host}`;
const alice = () => `${gw.url}/users/alice`;
const followsOf = (name: string) => remote.received.filter((r) => r.json.type === 'Follow' && r.json.object === remote.actorUri(name));
const callbackFor = (type: string, followId: string) => sink.callbacks.find((c) => c.type === type && c.data.followId === followId);

async function follow(followId: string, target: Record<string, string>, seconds = 0) {
  const id = eventId('follow');
  const res = await sendEvents(gw.url, { id, type: 'follow.created', occurredAt: at(seconds), data: { follow: { id: followId, accountId: 'acc-alice', target } } });
  expect(res.status).toBe(202);
  return id;
}

/** Waits for the Follow `name`'s inbox received and returns it. */
async function followReceived(name: string, count = 1) {
  return eventually(() => followsOf(name).length >= count && followsOf(name)[count - 1], `Follow #${count} at ${name}'s inbox`);
}

test('follow by handle: a signed Follow to the actor\'s inbox, pending until an Accept embedding it', async () => {
  const eid = await follow('f-bob', { handle: handle('bob') });
  const sent = await followReceived('bob');
  expect(sent.path).toBe('/users/bob/inbox');
  expect(sent.json).toEqual({ '@context': AS, id: `${gw.url}/activities/${eid}/follow`, type: 'Follow', actor: alice(), object: remote.actorUri('bob') });
  expect(independentlyVerified(sent, alicePem)).toMatchObject({ ok: true, keyId: `${alice()}#main-key` });
  expect(await gw.g.following.get('acc-alice', remote.actorUri('bob'))).toMatchObject({ state: 'pending', followId: 'f-bob' });

  // Mastodon's shape: `#accepts/follows/N`, the Follow embedded with our id.
  const accept = { '@context': AS, id: `${remote.actorUri('bob')}#accepts/follows/1`, type: 'Accept', actor: remote.actorUri('bob'), object: { id: sent.json.id, type: 'Follow', actor: alice(), object: remote.actorUri('bob') } };
  expect((await remote.post(`${gw.url}/users/alice/inbox`, accept)).status).toBe(202);
  const accepted = await eventually(() => callbackFor('fediverse.follow.accepted', 'f-bob'), 'follow.accepted');
  expect(accepted.data).toMatchObject({ accountId: 'acc-alice', target: { uri: remote.actorUri('bob'), handle: handle('bob'), name: 'BOB' } });
  expect(accepted.data.target.summaryHtml).not.toContain('<script');
  // The callback is queued before the state changes (a crash in between retries both): wait for it.
  await eventually(async () => (await gw.g.following.get('acc-alice', remote.actorUri('bob')))?.state === 'accepted', 'bob accepted');
  expect(await gw.g.following.localFollowersOf(remote.actorUri('bob'))).toEqual(['acc-alice']);
  expect(sink.badSignatures).toBe(0);
});

test('an Accept naming only the Follow\'s id, and one embedding it without an id, are both matched', async () => {
  await follow('f-carl', { uri: remote.actorUri('carl') });
  const toCarl = await followReceived('carl');
  await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${remote.origin}/accepts/carl`, type: 'Accept', actor: remote.actorUri('carl'), object: toCarl.json.id }, { as: 'carl' });
  await eventually(() => callbackFor('fediverse.follow.accepted', 'f-carl'), 'follow.accepted for carl');

  await follow('f-dana', { handle: handle('dana') });
  await followReceived('dana');
  await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${remote.origin}/accepts/dana`, type: 'Accept', actor: remote.actorUri('dana'), object: { type: 'Follow', actor: alice(), object: remote.actorUri('dana') } }, { as: 'dana' });
  await eventually(() => callbackFor('fediverse.follow.accepted', 'f-dana'), 'follow.accepted for dana');
  await eventually(async () => (await gw.g.following.localFollowersOf(remote.actorUri('dana'))).includes('acc-alice'), 'dana accepted');
});

test('an Accept of our Follow from another actor than its target accepts nothing', async () => {
  await follow('f-finn', { handle: handle('finn') });
  const toFinn = await followReceived('finn');
  const forged = { '@context': AS, id: `${remote.origin}/accepts/forged`, type: 'Accept', actor: remote.actorUri('mallory'), object: toFinn.json.id };
  await remote.post(`${gw.url}/inbox`, forged, { as: 'mallory' });
  await eventually(() => inboxProcessed(gw.g, forged), 'the forged Accept processed');
  expect(await gw.g.following.get('acc-alice', remote.actorUri('finn'))).toMatchObject({ state: 'pending' });
  expect(callbackFor('fediverse.follow.accepted', 'f-finn')).toBeUndefined();
});

test('a Reject ends the follow and tells the platform', async () => {
  await follow('f-erin', { handle: handle('erin') });
  const toErin = await followReceived('erin');
  const reject = { '@context': AS, id: `${remote.actorUri('erin')}#rejects/follows/1`, type: 'Reject', actor: remote.actorUri('erin'), object: { id: toErin.json.id, type: 'Follow', actor: alice(), object: remote.actorUri('erin') } };
  await remote.post(`${gw.url}/users/alice/inbox`, reject, { as: 'erin' });
  const rejected = await eventually(() => callbackFor('fediverse.follow.rejected', 'f-erin'), 'follow.rejected');
  expect(rejected.data).toMatchObject({ accountId: 'acc-alice', target: { uri: remote.actorUri('erin') }, reason: 'rejected' });
  await eventually(async () => (await gw.g.following.get('acc-alice', remote.actorUri('erin'))) === undefined, 'the follow of erin removed');
  expect(await gw.g.following.localFollowersOf(remote.actorUri('erin'))).toEqual([]);
});

test('a follow of an unknown remote actor is rejected at once, with the reason', async () => {
  remote.goneActors.add('ghost');
  await follow('f-ghost', { handle: handle('ghost') });
  const rejected = await eventually(() => callbackFor('fediverse.follow.rejected', 'f-ghost'), 'follow.rejected for ghost');
  expect(rejected.data).toMatchObject({ accountId: 'acc-alice', target: { handle: handle('ghost') }, reason: 'not_found' });
  expect(followsOf('ghost')).toEqual([]);
});

test('follow.deleted sends Undo embedding the Follow and forgets the follow', async () => {
  const sent = (await followReceived('bob')).json;
  const res = await sendEvents(gw.url, { id: eventId('unfollow'), type: 'follow.deleted', occurredAt: at(100), data: { follow: { id: 'f-bob', accountId: 'acc-alice', target: { handle: handle('bob') } } } });
  expect(res.status).toBe(202);
  const undo = await eventually(() => remote.received.find((r) => r.json.type === 'Undo' && r.path === '/users/bob/inbox'), 'the Undo');
  expect(undo.json).toMatchObject({ type: 'Undo', actor: alice(), object: { id: sent.id, type: 'Follow', actor: alice(), object: remote.actorUri('bob') } });
  expect(independentlyVerified(undo, alicePem).ok).toBe(true);
  // The Undo is queued before the follow is forgotten (a retry after a crash sends it again).
  await eventually(async () => (await gw.g.following.get('acc-alice', remote.actorUri('bob'))) === undefined, 'the follow of bob forgotten');
  expect(await gw.g.following.localFollowersOf(remote.actorUri('bob'))).toEqual([]);
});

test('a repeated follow of an accepted target sends the Follow again and stays accepted', async () => {
  await follow('f-carl-2', { uri: remote.actorUri('carl') }, 200);
  const again = await followReceived('carl', 2);
  expect(await gw.g.following.get('acc-alice', remote.actorUri('carl'))).toMatchObject({ state: 'accepted', followId: 'f-carl-2', activityId: again.json.id });
  expect(await gw.g.following.localFollowersOf(remote.actorUri('carl'))).toEqual(['acc-alice']);
  // The remote side accepts the new Follow too: the platform hears of it under the new follow id.
  await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${remote.origin}/accepts/carl-2`, type: 'Accept', actor: remote.actorUri('carl'), object: again.json.id }, { as: 'carl' });
  await eventually(() => callbackFor('fediverse.follow.accepted', 'f-carl-2'), 'follow.accepted for the repeated follow');
  expect(await gw.g.following.count('acc-alice')).toBeGreaterThan(0);
});

test('a follow.deleted applied before its follow.created leaves nothing sent', async () => {
  const target = { handle: handle('hana') };
  await sendEvents(gw.url, { id: eventId('unfollow'), type: 'follow.deleted', occurredAt: at(301), data: { follow: { id: 'f-hana', accountId: 'acc-alice', target } } });
  await eventually(async () => gw.g.redis.exists(gw.g.keys.deletedFollow('f-hana')), 'the early follow.deleted applied');
  const created = await follow('f-hana', target, 300);
  await eventually(async () => gw.g.dedupe.isEventApplied(created), 'the late follow.created applied');
  expect(followsOf('hana')).toEqual([]);
  expect(await gw.g.following.get('acc-alice', remote.actorUri('hana'))).toBeUndefined();
});

test.each([
  ['an account id', () => ({ accountId: 'acc-alice' })],
  ['a handle on our domain', () => ({ handle: `@alice@${gw.g.config.handleDomain}` })],
  ['an actor URI of ours', () => ({ uri: alice() })],
])('a follow of a local account (%s) is refused at intake, naming /data/follow/target', async (_name, target) => {
  const t = target();
  const res = await sendEvents(gw.url, { id: eventId('follow'), type: 'follow.created', occurredAt: at(0), data: { follow: { id: 'f-self', accountId: 'acc-alice', target: t } } });
  expect(res.status).toBe(400);
  const problem = (await res.json()) as { errors: Array<{ pointer: string; message: string }> };
  expect(problem.errors).toEqual([{ pointer: '/data/follow/target', eventId: expect.any(String), message: expect.stringContaining('local account') }]);
});

test('a target whose server does not answer fails the event job, to be retried, and records nothing', async () => {
  const event = { id: eventId('follow'), type: 'follow.created' as const, occurredAt: at(400), data: { follow: { id: 'f-down', accountId: 'acc-alice', target: { handle: '@x@localhost:9' } } } };
  await expect(applyPlatformEvent(gw.g, event)).rejects.toBeInstanceOf(FollowTargetUnavailableError);
  expect(await gw.g.dedupe.isEventApplied(event.id)).toBe(false);
  expect(callbackFor('fediverse.follow.rejected', 'f-down')).toBeUndefined();
});

test('a target that resolves to a local account after intake (an alias) is not federated', async () => {
  const event = { id: eventId('follow'), type: 'follow.created' as const, occurredAt: at(401), data: { follow: { id: 'f-alias', accountId: 'acc-alice', target: { uri: alice() } } } };
  const before = remote.received.length;
  expect(await applyPlatformEvent(gw.g, event)).toBe('local_target');
  expect(remote.received.length).toBe(before);
  expect(await gw.g.following.byFollowId('f-alias')).toBeUndefined();
});

/** An actor server that answers only when released, so another event lands mid-resolution. */
async function slowActorServer() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let asked!: () => void;
  const wasAsked = new Promise<void>((r) => (asked = r));
  const server = createServer((req, res) => {
    asked();
    void released.then(() => {
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      res.end(JSON.stringify({ '@context': AS, id: uri, type: 'Person', preferredUsername: 'slow', inbox: `${uri}/inbox` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/users/slow`;
  const close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  return { uri, wasAsked, release, close };
}

test('a follow.deleted applied while its follow.created is still resolving the target: no Follow is sent', async () => {
  const slow = await slowActorServer();
  try {
    const target = { uri: slow.uri };
    const created = applyPlatformEvent(gw.g, { id: eventId('follow'), type: 'follow.created', occurredAt: at(500), data: { follow: { id: 'f-slow', accountId: 'acc-alice', target } } });
    await slow.wasAsked;
    expect(await applyPlatformEvent(gw.g, { id: eventId('unfollow'), type: 'follow.deleted', occurredAt: at(501), data: { follow: { id: 'f-slow', accountId: 'acc-alice', target } } })).toBe('no_change');
    slow.release();
    expect(await created).toBe('stale');
    expect(await gw.g.following.get('acc-alice', target.uri)).toBeUndefined();
    expect(await gw.g.following.byFollowId('f-slow')).toBeUndefined();
  } finally {
    await slow.close();
  }
});

test('a follow.created applied after a newer block.created of its target sends no Follow; the platform hears why', async () => {
  const target = { uri: remote.actorUri('xavier') };
  expect(await applyPlatformEvent(gw.g, { id: eventId('block'), type: 'block.created', occurredAt: at(620), data: { block: { id: 'b-xavier', accountId: 'acc-alice', target } } })).toBe('applied');
  const event = { id: eventId('follow'), type: 'follow.created' as const, occurredAt: at(610), data: { follow: { id: 'f-xavier', accountId: 'acc-alice', target } } };
  expect(await applyPlatformEvent(gw.g, event)).toBe('blocked_target');
  expect(await gw.g.following.get('acc-alice', target.uri)).toBeUndefined();
  expect(await gw.g.following.byFollowId('f-xavier')).toBeUndefined();
  const rejected = await eventually(() => callbackFor('fediverse.follow.rejected', 'f-xavier'), 'follow.rejected for xavier');
  expect(rejected.data).toMatchObject({ accountId: 'acc-alice', target: { uri: target.uri, handle: handle('xavier') }, reason: 'blocked_target' });
  expect(followsOf('xavier')).toEqual([]);
});

test('a block applied while a follow.created of its target is still resolving it: no Follow is sent', async () => {
  const slow = await slowActorServer();
  try {
    const created = applyPlatformEvent(gw.g, { id: eventId('follow'), type: 'follow.created', occurredAt: at(700), data: { follow: { id: 'f-slow-2', accountId: 'acc-alice', target: { uri: slow.uri } } } });
    await slow.wasAsked;
    // What block.created stores before it ends the follows (there is none yet to end).
    await gw.g.blocks.add('acc-alice', { actor: slow.uri, inbox: `${slow.uri}/inbox`, blockId: 'b-slow', since: at(701) });
    slow.release();
    expect(await created).toBe('blocked_target');
    expect(await gw.g.following.get('acc-alice', slow.uri)).toBeUndefined();
    expect(await gw.g.following.byFollowId('f-slow-2')).toBeUndefined();
    const queued = await gw.g.queues.delivery.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(queued.filter((j) => ('inbox' in j.data ? [j.data.inbox] : j.data.inboxes).includes(`${slow.uri}/inbox`))).toEqual([]);
  } finally {
    await slow.close();
  }
});

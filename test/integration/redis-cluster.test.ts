// Scale-out: the gateway and its workers on a real three-node Redis Cluster (REDIS_CLUSTER_NODES).
// The round trip over real HTTP and the real queues: a remote Follow and its Accept, a post and
// its Delete, a Like and its Undo, a reply, an outbound follow and its Accept, local likes,
// reposts and blocks, an actor Update and an Undo(Follow), and the account's deletion. An ioredis
// Cluster refuses a command, MULTI or pipeline whose keys span hash slots (CROSSSLOT), so every
// store operation these reach runs as a cluster runs it; the last test asserts that every Lua
// script in services/ was among them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../services/activitypub/as-read';
import { type InboundOutcome, handleInbound } from '../../services/federation/handle-inbound';
import { isCluster } from '../../services/store/redis';
import { enableAccount } from '../support/fixtures-setup';
import { independentlyVerified } from '../support/independent-verify';
import { keySlot } from '../support/key-slot';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type TestCluster, startRedisCluster } from '../support/redis-cluster';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let cluster: TestCluster;
let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let alicePem: string;
/** Lua scripts the gateway's store client evaluated on the cluster. */
const evaluated = new Set<string>();

const received = (type: string, pred: (json: Record<string, unknown>) => boolean = () => true) => remote.received.find((r) => r.json.type === type && pred(r.json));
const callback = (type: string, pred: (data: Record<string, any>) => boolean = () => true) =>
  eventually(() => sink.callbacks.find((c) => c.type === type && pred(c.data)), type, 20000);
async function send(type: string, occurredAt: string, data: object): Promise<string> {
  const id = eventId(type.replace('.', '-'));
  expect((await sendEvents(gw.url, { id, type, occurredAt, data })).status).toBe(202);
  return id;
}
const applied = (id: string) => eventually(() => gw.g.dedupe.isEventApplied(id), `event ${id} applied`, 20000);
const alice = () => `${gw.url}/users/alice`;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url, REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesEnv } });
  const store = gw.g.redis as unknown as { eval: (...args: unknown[]) => Promise<unknown> };
  const run = store.eval.bind(store);
  store.eval = (script: unknown, ...rest: unknown[]) => {
    evaluated.add(String(script));
    return run(script, ...rest);
  };
}, 60000);

afterAll(async () => {
  try {
    await gw?.close();
  } finally {
    await remote?.close();
    await sink?.close();
    await cluster?.stop();
  }
}, 30000);

test('the store and BullMQ connect to the cluster; an enabled account is published', async () => {
  expect(isCluster(gw.g.redis) && isCluster(gw.g.queueRedis)).toBe(true);
  await enableAccount(gw, 'acc-alice', 'alice');
  const res = await fetch(alice(), { headers: { accept: 'application/activity+json' } });
  expect(res.status).toBe(200);
  alicePem = ((await res.json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem;
  expect(await gw.g.accounts.getByUsername('ALICE')).toMatchObject({ account: { id: 'acc-alice' }, state: 'enabled' });
});

test('a remote Follow into the inbox: a signed Accept to the follower, follower.added to the platform', async () => {
  const follow = { '@context': AS, id: `${remote.origin}/follows/bob`, type: 'Follow', actor: remote.actorUri('bob'), object: alice() };
  expect((await remote.post(`${alice()}/inbox`, follow)).status).toBe(202);
  const accept = await eventually(() => received('Accept'), 'the Accept', 20000);
  expect(accept.path).toBe('/users/bob/inbox');
  expect(accept.json).toMatchObject({ actor: alice(), object: { id: follow.id, type: 'Follow' } });
  expect(independentlyVerified(accept, alicePem).ok).toBe(true);
  expect((await callback('fediverse.follower.added')).data).toMatchObject({ accountId: 'acc-alice', follower: { uri: remote.actorUri('bob') } });
  expect(await gw.g.followers.accountsFollowedBy(remote.actorUri('bob'))).toEqual(['acc-alice']);
});

test('a platform post goes out as a signed Create to the shared inbox; its edit as an Update; its deletion as a Delete, then 410', async () => {
  await send('post.created', at(10), { post: postData('p-1', 'acc-alice', { text: 'hello cluster' }) });
  const noteId = `${gw.url}/posts/p-1`;
  const create = await eventually(() => received('Create', (j) => (j.object as { id?: string }).id === noteId), 'the Create', 20000);
  expect(create.path).toBe('/inbox');
  expect(independentlyVerified(create, alicePem).ok).toBe(true);
  expect((await fetch(noteId, { headers: { accept: 'application/activity+json' } })).status).toBe(200);

  await send('post.updated', at(15), { post: postData('p-1', 'acc-alice', { text: 'hello cluster, edited' }) });
  await eventually(() => received('Update', (j) => (j.object as { id?: string }).id === noteId), 'the Update', 20000);

  await send('post.deleted', at(20), { postId: 'p-1', accountId: 'acc-alice' });
  const del = await eventually(() => received('Delete', (j) => (j.object as { id?: string }).id === noteId), 'the Delete', 20000);
  expect(independentlyVerified(del, alicePem).ok).toBe(true);
  expect((await fetch(noteId, { headers: { accept: 'application/activity+json' } })).status).toBe(410);
});

test('a Like and its Undo, and a reply, reach the platform as callbacks', async () => {
  await send('post.created', at(30), { post: postData('p-2', 'acc-alice') });
  const noteId = `${gw.url}/posts/p-2`;
  await eventually(() => received('Create', (j) => (j.object as { id?: string }).id === noteId), 'the Create of p-2', 20000);
  const like = { '@context': AS, id: `${remote.origin}/likes/1`, type: 'Like', actor: remote.actorUri('bob'), object: noteId };
  expect((await remote.post(`${gw.url}/inbox`, like)).status).toBe(202);
  expect((await callback('fediverse.like.created')).data).toMatchObject({ postId: 'p-2', activityId: like.id });
  expect((await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${like.id}/undo`, type: 'Undo', actor: like.actor, object: like.id })).status).toBe(202);
  expect((await callback('fediverse.like.deleted')).data).toMatchObject({ postId: 'p-2', activityId: like.id });

  const reply = { id: `${remote.origin}/notes/9`, type: 'Note', attributedTo: remote.actorUri('bob'), inReplyTo: noteId, content: '<p>reply</p>', published: '2026-11-01T11:00:00Z', to: [PUBLIC], tag: [{ type: 'Mention', href: alice() }] };
  expect((await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${reply.id}/activity`, type: 'Create', actor: remote.actorUri('bob'), to: [PUBLIC], object: reply })).status).toBe(202);
  expect((await callback('fediverse.reply.created')).data.accountIds).toEqual(['acc-alice']);
});

test('an outbound follow: the signed Follow goes out, the Accept marks it accepted and indexes it', async () => {
  await send('follow.created', at(40), { follow: { id: 'f-carl', accountId: 'acc-alice', target: { uri: remote.actorUri('carl') } } });
  const sent = await eventually(() => received('Follow', (j) => j.object === remote.actorUri('carl')), 'the Follow to carl', 20000);
  expect(independentlyVerified(sent, alicePem).ok).toBe(true);
  const accept = { '@context': AS, id: `${remote.origin}/accepts/carl`, type: 'Accept', actor: remote.actorUri('carl'), object: sent.json.id };
  expect((await remote.post(`${gw.url}/inbox`, accept, { as: 'carl' })).status).toBe(202);
  expect((await callback('fediverse.follow.accepted')).data).toMatchObject({ followId: 'f-carl', accountId: 'acc-alice' });
  expect(await gw.g.following.get('acc-alice', remote.actorUri('carl'))).toMatchObject({ state: 'accepted' });
  expect(await gw.g.following.localFollowersOf(remote.actorUri('carl'))).toEqual(['acc-alice']);
});

test('local likes, reposts and blocks go out; a follower moving its inboxes and an Undo(Follow) are applied', async () => {
  const daveNote = `${remote.origin}/users/dave/statuses/1`;
  remote.documents.set('/users/dave/statuses/1', { '@context': AS, id: daveNote, type: 'Note', attributedTo: remote.actorUri('dave'), content: '<p>hi</p>', to: [PUBLIC] });
  for (const [type, data] of [
    ['like.created', { like: { id: 'lk-1', accountId: 'acc-alice', of: { uri: daveNote } } }],
    ['repost.created', { repost: { id: 'rp-1', accountId: 'acc-alice', of: { uri: daveNote } } }],
    ['block.created', { block: { id: 'bk-1', accountId: 'acc-alice', target: { uri: remote.actorUri('mallory') } } }],
  ] as const) await applied(await send(type, at(50), data));
  await eventually(() => received('Like', (j) => j.object === daveNote) && received('Announce', (j) => j.object === daveNote) && received('Block'), 'the Like, Announce and Block', 20000);
  expect(await gw.g.blocks.blockersOf(remote.actorUri('mallory'))).toEqual(new Set(['acc-alice']));

  // erin follows, her server moves her shared inbox (Update), then she undoes the follow.
  const erin = remote.actorUri('erin');
  const erinDoc = (sharedInbox: string) => ({ '@context': [AS, 'https://w3id.org/security/v1'], id: erin, type: 'Person', preferredUsername: 'erin', inbox: `${erin}/inbox`, endpoints: { sharedInbox }, publicKey: { id: `${erin}#main-key`, owner: erin, publicKeyPem: remote.keyPem.publicKeyPem } });
  remote.documents.set('/users/erin', erinDoc(`${remote.origin}/inbox`));
  const follow = { '@context': AS, id: `${remote.origin}/follows/erin`, type: 'Follow', actor: erin, object: alice() };
  expect((await remote.post(`${alice()}/inbox`, follow, { as: 'erin' })).status).toBe(202);
  await callback('fediverse.follower.added', (d) => d.follower.uri === erin);
  remote.documents.set('/users/erin', erinDoc(`${remote.origin}/shared-inbox`));
  expect((await remote.post(`${gw.url}/inbox`, { '@context': AS, id: `${erin}#updates/1`, type: 'Update', actor: erin, object: { id: erin, type: 'Person' } }, { as: 'erin' })).status).toBe(202);
  await callback('fediverse.actor.updated', (d) => d.actor.uri === erin);
  expect(await gw.g.followers.get('acc-alice', erin)).toMatchObject({ sharedInbox: `${remote.origin}/shared-inbox` });
  expect((await remote.post(`${alice()}/inbox`, { '@context': AS, id: `${follow.id}/undo`, type: 'Undo', actor: erin, object: follow }, { as: 'erin' })).status).toBe(202);
  await callback('fediverse.follower.removed', (d) => d.follower.uri === erin);
  await eventually(async () => (await gw.g.followers.accountsFollowedBy(erin)).length === 0, 'erin unindexed');
  expect(await gw.g.followers.get('acc-alice', erin)).toBeUndefined();
});

test('a Follow and an Undo racing each other: exactly one wins, no follower is left standing', async () => {
  const job = (activity: JsonObject, signer: string) => ({ activity, activityId: String(activity.id), signer, receivedAt: new Date().toISOString() });
  const wrong: string[] = [];
  for (let i = 0; i < 10; i++) {
    const actor = remote.actorUri(`racer-${i}`);
    const follow = { '@context': AS, id: `${remote.origin}/follows/race-${i}`, type: 'Follow', actor, object: alice() };
    const undo = { '@context': AS, id: `${follow.id}/undo`, type: 'Undo', actor, object: i % 2 ? follow.id : follow };
    const [a, u] = await Promise.all([
      handleInbound(gw.g, job(follow, actor)),
      new Promise((r) => setTimeout(r, i)).then((): Promise<InboundOutcome> => handleInbound(gw.g, job(undo, actor))),
    ]);
    if ((a.outcome === 'applied') !== (u.outcome === 'applied')) wrong.push(`${follow.id}: ${JSON.stringify(a)} / ${JSON.stringify(u)}`);
    if (await gw.g.followers.get('acc-alice', actor)) wrong.push(`${follow.id}: follower left standing`);
  }
  expect(wrong).toEqual([]);
});

test('an Accept racing the end of the follow does not bring it back', async () => {
  const resurrected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const target = `https://remote.example/users/t${i}`;
    await gw.g.following.request('acc-racer', { target, followId: `fr-${i}`, activityId: `https://gw.example/activities/${i}/follow`, inbox: `${target}/inbox`, since: new Date(0).toISOString() });
    await Promise.all([gw.g.following.remove('acc-racer', target), gw.g.following.accept('acc-racer', target)]);
    if ((await gw.g.following.get('acc-racer', target)) || (await gw.g.following.localFollowersOf(target)).includes('acc-racer')) resurrected.push(target);
  }
  expect(resurrected).toEqual([]);
});

test('the account\'s deletion: a signed Delete(Person) to every inbox that knows it, 410, its relationships and records gone', async () => {
  const before = remote.received.length;
  await applied(await send('account.deleted', at(100), { accountId: 'acc-alice' }));
  const del = await eventually(() => remote.received.slice(before).find((r) => r.json.type === 'Delete' && r.json.object === alice()), 'the Delete(Person)', 20000);
  expect(independentlyVerified(del, alicePem).ok).toBe(true);
  expect((await fetch(alice(), { headers: { accept: 'application/activity+json' } })).status).toBe(410);
  expect((await fetch(`${gw.url}/posts/p-2`, { headers: { accept: 'application/activity+json' } })).status).toBe(410);
  expect(await gw.g.followers.count('acc-alice')).toBe(0);
  expect(await gw.g.following.count('acc-alice')).toBe(0);
  expect(await gw.g.following.localFollowersOf(remote.actorUri('carl'))).toEqual([]);
  expect(await gw.g.followers.accountsFollowedBy(remote.actorUri('bob'))).toEqual([]);
  expect(await gw.g.blocks.blockersOf(remote.actorUri('mallory'))).toEqual(new Set());
  expect(await gw.g.accountPosts.outboxCount('acc-alice')).toBe(0);
  expect((await gw.g.remoteNotes.get(`${remote.origin}/notes/9`))?.roles).toEqual({});
  expect(sink.schemaProblems).toEqual([]);
});

test('the keys spread over the nodes; the test\'s slot function agrees with the cluster', async () => {
  const sizes = await Promise.all(cluster.clients.map((c) => c.dbsize()));
  expect(sizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  const k = gw.g.keys;
  const sample = [k.account('acc-alice'), k.followers('acc-alice'), k.post('p-2'), k.postReceipts('p-2'), k.remoteLike(`${remote.origin}/likes/1`), k.username('alice'), k.domainBreakerOpen('a.example'), 'plain', 'a{b', 'foo{}{bar}'];
  for (const key of sample) expect([key, await cluster.clients[0]!.call('CLUSTER', 'KEYSLOT', key)]).toEqual([key, keySlot(key)]);
});

test('every Lua script in services/ ran on the cluster', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const defined = files(join(__dirname, '../../services')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/=\s*`([^`]*redis\.call\([^`]*)`/g)].map((m) => ({ where: `${file.replace(/.*services\//, 'services/')}: ${m[1]!.trim().split('\n')[0]}`, script: m[1]! })),
  );
  expect(defined.length).toBeGreaterThan(10); // the search still finds them
  expect(defined.filter((d) => !evaluated.has(d.script)).map((d) => d.where)).toEqual([]);
});

// Opting out and deleting an account, as remote servers and the platform see it: a signed
// Delete(Person) to every inbox that knows the actor, 410 afterwards, nothing queued going out
// after it, state changes in occurredAt order, and a deletion that leaves only a tombstone.
import { independentlyVerified } from '../support/independent-verify';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { inboxProcessed } from '../support/inbox-jobs';
import { applyPlatformEvent } from '../../services/federation/apply-platform-event';
import { runDelivery } from '../../services/federation/deliver-job';
import { ERASED_KEYS_TTL_SECONDS } from '../../services/federation/apply-account-leave';
import { handleInbound } from '../../services/federation/handle-inbound';
import type { JsonObject } from '../../services/activitypub/as-read';

let sink: PlatformSink;
let followerServer: RemoteServer;
let otherServer: RemoteServer;
let gw: TestGateway;
const AS2 = { accept: 'application/activity+json' };
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  followerServer = await startRemoteServer();
  otherServer = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
});

afterAll(async () => {
  await gw.close();
  await followerServer.close();
  await otherServer.close();
  await sink.close();
});

const applied = (id: string) => eventually(() => gw.g.dedupe.isEventApplied(id), `event ${id} applied`);
async function send(type: string, occurredAt: string, data: object): Promise<string> {
  const id = eventId(type.replace('.', '-'));
  const res = await sendEvents(gw.url, { id, type, occurredAt, data });
  expect(res.status).toBe(202);
  return id;
}
const deletesOf = (server: RemoteServer, actor: string) => server.received.filter((r) => r.json.type === 'Delete' && r.json.object === actor);
const actorPem = async (name: string) => ((await (await fetch(`${gw.url}/users/${name}`, { headers: AS2 })).json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem;

test('opting out sends a signed Delete(Person) to followers and to every other inbox that heard from the actor', async () => {
  await enableAccount(gw, 'acc-olga', 'olga');
  const pem = await actorPem('olga');
  const actor = `${gw.url}/users/olga`;
  await addRemoteFollower(gw, 'acc-olga', followerServer, 'bob');
  // carl on another server follows, gets the Accept, then leaves: his inbox still knows olga.
  const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${otherServer.origin}/follows/carl`, type: 'Follow', actor: otherServer.actorUri('carl'), object: actor };
  expect((await otherServer.post(`${actor}/inbox`, follow, { as: 'carl' })).status).toBe(202);
  await eventually(() => otherServer.received.find((r) => r.json.type === 'Accept'), 'the Accept to carl');
  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${follow.id}/undo`, type: 'Undo', actor: follow.actor, object: follow };
  expect((await otherServer.post(`${actor}/inbox`, undo, { as: 'carl' })).status).toBe(202);
  await eventually(async () => !(await gw.g.followers.get('acc-olga', follow.actor)), 'carl unfollowed');
  await send('post.created', at(10), { post: postData('po-1', 'acc-olga') });
  await eventually(() => followerServer.received.find((r) => r.json.type === 'Create'), 'the Create');

  // Where deliveries were queued is remembered (as long as follows are, 400 days since the last).
  const known = gw.g.keys.accountInboxes('acc-olga');
  expect((await gw.g.redis.smembers(known)).sort()).toEqual([`${followerServer.origin}/inbox`, `${otherServer.origin}/users/carl/inbox`].sort());
  expect(await gw.g.redis.ttl(known)).toBeGreaterThan(399 * 24 * 3600);

  await send('account.disabled', at(20), { accountId: 'acc-olga' });
  const toFollower = await eventually(() => deletesOf(followerServer, actor)[0], 'Delete(Person) at the follower\'s shared inbox');
  const toOther = await eventually(() => deletesOf(otherServer, actor)[0], 'Delete(Person) at the former follower\'s inbox');
  expect(toFollower.path).toBe('/inbox');
  expect(toOther.path).toBe('/users/carl/inbox');
  for (const d of [toFollower, toOther]) {
    expect(d.json).toMatchObject({ type: 'Delete', actor, object: actor, to: [PUBLIC] });
    expect(independentlyVerified(d, pem)).toMatchObject({ ok: true, keyId: `${actor}#main-key` });
  }
  // One Delete per inbox, however many ways the inbox knew the actor.
  expect(deletesOf(followerServer, actor)).toHaveLength(1);
});

test('after opting out the actor answers 410 with a Tombstone, its collections and objects 410, WebFinger 404', async () => {
  const actor = `${gw.url}/users/olga`;
  const res = await fetch(actor, { headers: AS2 });
  expect(res.status).toBe(410);
  expect(await res.json()).toMatchObject({ id: actor, type: 'Tombstone', formerType: 'Person', deleted: at(20) });
  for (const c of ['outbox', 'followers', 'following']) expect((await fetch(`${actor}/${c}`, { headers: AS2 })).status).toBe(410);
  expect((await fetch(`${gw.url}/posts/po-1`, { headers: AS2 })).status).toBe(410);
  const wf = await fetch(`${gw.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:olga@${gw.g.config.handleDomain}`)}`);
  expect(wf.status).toBe(404);
  // Receivers drop follows both ways on Delete(Person): the gateway's copy goes too.
  expect(await gw.g.followers.count('acc-olga')).toBe(0);
  expect(await gw.g.accounts.countEnabled()).toBe(0);
});

test('an inbound Follow of an opted-out account is not applied, and a post event federates nothing', async () => {
  const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${otherServer.origin}/follows/carl-2`, type: 'Follow', actor: otherServer.actorUri('carl'), object: `${gw.url}/users/olga` };
  expect((await otherServer.post(`${gw.url}/users/olga/inbox`, follow, { as: 'carl' })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, follow), 'the Follow processed');
  expect(await gw.g.followers.get('acc-olga', follow.actor)).toBeUndefined();
  const id = await send('post.created', at(30), { post: postData('po-2', 'acc-olga') });
  await applied(id);
  expect(await gw.g.posts.get('po-2')).toBeUndefined();
});

test('an account.enabled older than the opt-out does not re-enable; a newer one does, under the same actor and key', async () => {
  const pemBefore = (await gw.g.accounts.keys('acc-olga'))!.publicKeyPem;
  await applied(await send('account.enabled', at(15), { account: accountData('acc-olga', 'olga') }));
  await applied(await send('account.updated', at(25), { account: accountData('acc-olga', 'olga', { displayName: 'Olga later' }) }));
  expect((await fetch(`${gw.url}/users/olga`, { headers: AS2 })).status).toBe(410);
  // Deleted on the platform while opted out: recorded (not federated), so it stays gone.
  const sentBefore = followerServer.received.length;
  await applied(await send('post.deleted', at(32), { postId: 'po-1', accountId: 'acc-olga' }));
  await applied(await send('account.enabled', at(40), { account: accountData('acc-olga', 'olga') }));
  const res = await fetch(`${gw.url}/users/olga`, { headers: AS2 });
  expect(res.status).toBe(200);
  expect((await fetch(`${gw.url}/posts/po-1`, { headers: AS2 })).status).toBe(410);
  expect(((await (await fetch(`${gw.url}/users/olga/outbox`, { headers: AS2 })).json()) as { totalItems: number }).totalItems).toBe(0);
  expect(followerServer.received.length).toBe(sentBefore);
  expect(((await res.json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem).toBe(pemBefore);
  // A disable replayed with an older occurredAt than the re-enable changes nothing.
  await applied(await send('account.disabled', at(35), { accountId: 'acc-olga' }));
  expect((await fetch(`${gw.url}/users/olga`, { headers: AS2 })).status).toBe(200);
});

test('an opt-out that overtakes its account.enabled keeps the account out; a deletion that does refuses it', async () => {
  await applied(await send('account.disabled', at(20), { accountId: 'acc-early' }));
  await applied(await send('account.enabled', at(10), { account: accountData('acc-early', 'early') }));
  expect((await fetch(`${gw.url}/users/early`, { headers: AS2 })).status).toBe(410);
  const fed = await fetch(`${gw.url}/platform/accounts/acc-early/federation`, { headers: { authorization: `Bearer ${TEST_SECRETS.PLATFORM_API_TOKEN}` } });
  expect(await fed.json()).toMatchObject({ state: 'disabled', enabled: false });
  await applied(await send('account.deleted', at(20), { accountId: 'acc-gone' }));
  const late = await sendEvents(gw.url, { id: eventId('late'), type: 'account.enabled', occurredAt: at(10), data: { account: accountData('acc-gone', 'gone') } });
  expect(late.status).toBe(400);
});

test('a Create still queued when the account opts out never goes out; its Delete(Person) does', async () => {
  await enableAccount(gw, 'acc-pia', 'pia');
  await addRemoteFollower(gw, 'acc-pia', followerServer, 'dan');
  const actor = `${gw.url}/users/pia`;
  await gw.g.queues.delivery.pause();
  try {
    await applied(await send('post.created', at(50), { post: postData('pp-1', 'acc-pia') }));
    await eventually(async () => (await gw.g.queues.delivery.getJobs(['wait'])).some((j) => j.data.activityId.includes('post-created')), 'the Create queued');
    const disable = await send('account.disabled', at(60), { accountId: 'acc-pia' });
    await applied(disable);
    // The Delete waits out the 2 s in which a worker may still believe the account enabled.
    const deletes = (await gw.g.queues.delivery.getJobs(['delayed'])).filter((j) => j.data.activityId === gw.g.uris.activity(disable, 'Delete'));
    expect(deletes.map((j) => j.opts.delay! >= 2000)).toEqual([true]);
  } finally {
    await gw.g.queues.delivery.resume();
  }
  await eventually(() => deletesOf(followerServer, actor)[0], 'the Delete(Person)');
  // The Create was queued first, so it was taken first: by now it was skipped, not sent.
  await eventually(async () => (await gw.g.queues.delivery.getJobs(['wait', 'active'])).length === 0, 'the queue drained');
  expect(followerServer.received.filter((r) => r.json.type === 'Create' && (r.json.object as { id: string }).id === `${gw.url}/posts/pp-1`)).toEqual([]);
  // A retry of an old Create (as from a backoff) is refused too, while the Delete may still be retried.
  const createId = gw.g.uris.activity('x', 'Create');
  const oldCreate = { id: createId, actor, type: 'Create' };
  await gw.g.activities.save(oldCreate);
  expect(await runDelivery(gw.g, { activityId: createId, signer: { accountId: 'acc-pia' }, inbox: `${followerServer.origin}/inbox` })).toEqual({ skipped: 'signer left the fediverse' });
});

test('a leave interrupted after its state change is finished by the retried job, Delete(Person) included', async () => {
  await enableAccount(gw, 'acc-rex', 'rex');
  await addRemoteFollower(gw, 'acc-rex', followerServer, 'hal');
  const event = { id: eventId('crash'), type: 'account.disabled' as const, occurredAt: at(100), data: { accountId: 'acc-rex' } };
  // The worker recorded the opt-out, then died before anything went out.
  expect(await gw.g.accounts.leave('acc-rex', event.id, new Date(event.occurredAt), 'disabled', gw.g.uris.activity(event.id, 'Delete'))).toBe('announce');
  expect(await applyPlatformEvent(gw.g, event)).toBe('applied');
  await eventually(() => deletesOf(followerServer, `${gw.url}/users/rex`)[0], 'the Delete(Person) after the retry');
  // Done once: the decision is settled, a replay of the same event is a duplicate.
  expect(await applyPlatformEvent(gw.g, event)).toBe('duplicate');
  expect(await gw.g.redis.hkeys(gw.g.keys.account('acc-rex'))).not.toContain(`pending:${event.id}`);
});

test('deleting an account erases every record of it but the tombstone that answers 410', async () => {
  await enableAccount(gw, 'acc-dee', 'Dee');
  const actor = `${gw.url}/users/Dee`;
  const pem = await actorPem('Dee');
  await addRemoteFollower(gw, 'acc-dee', followerServer, 'erin');
  await gw.g.followers.addRequest('acc-dee', { actor: otherServer.actorUri('fay'), inbox: `${otherServer.origin}/users/fay/inbox`, followId: `${otherServer.origin}/f/fay`, since: at(0) });
  const target = otherServer.actorUri('gus');
  await gw.g.following.request('acc-dee', { target, followId: 'df-1', activityId: `${gw.url}/follows/df-1`, inbox: `${otherServer.origin}/users/gus/inbox`, since: at(0) });
  await gw.g.following.accept('acc-dee', target);
  await send('post.created', at(70), { post: postData('pd_1', 'acc-dee', { text: 'secret words one' }) });
  await send('post.created', at(71), { post: postData('pd_2', 'acc-dee', { text: 'secret words two', visibility: 'followers' }) });
  await eventually(() => followerServer.received.filter((r) => r.json.type === 'Create' && String((r.json.object as { id: string }).id).includes('/posts/pd_')).length === 2, 'both Creates');

  const deletion = await send('account.deleted', at(80), { accountId: 'acc-dee' });
  await applied(deletion);
  const toFollower = await eventually(() => deletesOf(followerServer, actor)[0], 'Delete(Person) to the follower');
  expect(independentlyVerified(toFollower, pem).ok).toBe(true);
  // The requester and the followed account knew the actor too.
  await eventually(() => otherServer.received.filter((r) => r.json.type === 'Delete' && r.json.object === actor).length === 2, 'Delete(Person) to fay and gus');

  const res = await fetch(actor, { headers: AS2 });
  expect(res.status).toBe(410);
  expect(await res.json()).toMatchObject({ type: 'Tombstone', id: actor });
  expect((await fetch(`${gw.url}/posts/pd_1`, { headers: AS2 })).status).toBe(410);
  expect((await fetch(`${gw.url}/posts/pd_2`, { headers: AS2 })).status).toBe(410);

  const left = await recordsMentioning(['acc-dee', 'users/Dee', 'pd_1', 'pd_2', 'secret words', otherServer.actorUri('fay'), target]);
  const k = gw.g.keys;
  expect(Object.keys(left).sort()).toEqual(
    [k.account('acc-dee'), k.username('Dee'), k.accountKeys('acc-dee'), k.post('pd_1'), k.post('pd_2'), k.activity(gw.g.uris.activity(deletion, 'Delete'))].sort(),
  );
  // What remains: the state, the name (so the URI answers 410 and is never reused) and the Delete.
  expect(Object.keys(left[k.account('acc-dee')]!).sort()).toEqual(['leaveActivity', 'state', 'stateAt', 'username']);
  expect(left[k.post('pd_1')]).toEqual({ state: 'deleted', federated: '0', version: String(Date.parse(at(80))), accountId: 'acc-dee' });
  expect(JSON.stringify(left)).not.toContain('secret words');
  const keyTtl = await gw.g.redis.ttl(k.accountKeys('acc-dee'));
  expect(keyTtl).toBeGreaterThan(3 * 24 * 3600);
  expect(keyTtl).toBeLessThanOrEqual(ERASED_KEYS_TTL_SECONDS);
  expect(await gw.g.following.localFollowersOf(target)).toEqual([]);
  // Finished event jobs (BullMQ keeps their payloads a while) naming the account are gone too.
  const finished = await gw.g.queues.events.getJobs(['completed', 'failed']);
  expect(finished.length).toBeGreaterThan(0);
  // Only the deletion itself remains (it finished after erasing): it names nothing but the id.
  expect(finished.filter((j) => JSON.stringify(j.data).includes('acc-dee')).map((j) => j.data)).toEqual([expect.objectContaining({ id: deletion, data: { accountId: 'acc-dee' } })]);
});

test('deleting an account erases its likes, reposts and blocks, what remote actors liked or reposted of it, and its place in remote notes', async () => {
  const AS = 'https://www.w3.org/ns/activitystreams';
  const job = (activity: JsonObject, name: string) => ({ activity, activityId: String(activity.id), signer: otherServer.actorUri(name), receivedAt: new Date().toISOString() });
  await enableAccount(gw, 'acc-er', 'Er');
  await enableAccount(gw, 'acc-kit', 'Kit');
  await applied(await send('post.created', at(100), { post: postData('pe_1', 'acc-er', { text: 'secret words three' }) }));
  await applied(await send('post.created', at(100), { post: postData('pk-1', 'acc-kit') }));
  // Er likes and reposts bob's note and blocks mallory: the ledger keeps each as sent.
  const bobNote = `${otherServer.origin}/users/bob/statuses/1`;
  otherServer.documents.set('/users/bob/statuses/1', { '@context': AS, id: bobNote, type: 'Note', attributedTo: otherServer.actorUri('bob'), content: '<p>hi</p>', to: [PUBLIC] });
  for (const [type, data] of [
    ['like.created', { like: { id: 'lk-er', accountId: 'acc-er', of: { uri: bobNote } } }],
    ['repost.created', { repost: { id: 'rp-er', accountId: 'acc-er', of: { uri: bobNote } } }],
    ['block.created', { block: { id: 'bk-er', accountId: 'acc-er', target: { uri: otherServer.actorUri('mallory') } } }],
    ['like.created', { like: { id: 'lk-kit', accountId: 'acc-kit', of: { uri: bobNote } } }],
  ] as const) await applied(await send(type, at(101), data));
  // dave likes and reposts Er's post, replies to it, and mentions Er and Kit.
  const erPost = `${gw.url}/posts/pe_1`;
  expect(await handleInbound(gw.g, job({ '@context': AS, id: `${otherServer.origin}/users/dave#likes/1`, type: 'Like', actor: otherServer.actorUri('dave'), object: erPost }, 'dave'))).toMatchObject({ outcome: 'applied' });
  expect(await handleInbound(gw.g, job({ '@context': AS, id: `${otherServer.origin}/users/dave#announces/1`, type: 'Announce', actor: otherServer.actorUri('dave'), object: erPost, to: [PUBLIC] }, 'dave'))).toMatchObject({ outcome: 'applied' });
  const note = (n: number, extra: JsonObject) => ({ id: `${otherServer.origin}/users/dave/statuses/${n}`, type: 'Note', attributedTo: otherServer.actorUri('dave'), content: `<p>note ${n}</p>`, published: '2026-11-02T09:00:00Z', to: [PUBLIC], ...extra });
  const mention = note(9, { tag: [{ type: 'Mention', href: `${gw.url}/users/Er` }, { type: 'Mention', href: `${gw.url}/users/Kit` }] });
  const reply = note(10, { inReplyTo: erPost });
  for (const n of [mention, reply]) expect(await handleInbound(gw.g, job({ '@context': AS, id: `${n.id}#create`, type: 'Create', actor: otherServer.actorUri('dave'), object: n }, 'dave'))).toMatchObject({ outcome: 'applied' });
  expect((await gw.g.remoteNotes.get(mention.id))?.roles).toEqual({ mention: ['acc-er', 'acc-kit'] });
  expect((await gw.g.remoteNotes.get(reply.id))?.roles).toEqual({ reply: ['acc-er'] });

  const deletion = await send('account.deleted', at(110), { accountId: 'acc-er' });
  await applied(deletion);
  const left = await recordsMentioning(['acc-er', 'users/Er', 'pe_1', 'secret words three', 'lk-er', 'rp-er', 'bk-er']);
  const k = gw.g.keys;
  expect(Object.keys(left).sort()).toEqual([k.account('acc-er'), k.username('Er'), k.accountKeys('acc-er'), k.post('pe_1'), k.activity(gw.g.uris.activity(deletion, 'Delete'))].sort());
  // The notes stay for the others they concern (a later Delete of them still maps).
  expect(await gw.g.remoteNotes.get(mention.id)).toMatchObject({ author: otherServer.actorUri('dave'), roles: { mention: ['acc-kit'] } });
  expect((await gw.g.remoteNotes.get(reply.id))?.roles).toEqual({});
  // Another account's records are untouched.
  expect(await gw.g.interactions.isStale('like', 'lk-kit', new Date(at(101)))).toBe(true);
});

test('a deleted account does not come back: its events are refused naming the field, its name is not reused', async () => {
  const again = await sendEvents(gw.url, { id: eventId('back'), type: 'account.enabled', occurredAt: at(90), data: { account: accountData('acc-dee', 'Dee') } });
  expect(again.status).toBe(400);
  expect(((await again.json()) as { errors: Array<{ pointer: string }> }).errors).toEqual([expect.objectContaining({ pointer: '/data/account/id' })]);
  const post = await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(90), data: { post: postData('pd-3', 'acc-dee') } });
  expect(((await post.json()) as { errors: Array<{ pointer: string }> }).errors).toEqual([expect.objectContaining({ pointer: '/data/post/accountId' })]);
  const squat = await sendEvents(gw.url, { id: eventId('sq'), type: 'account.enabled', occurredAt: at(90), data: { account: accountData('acc-new', 'dee') } });
  expect(((await squat.json()) as { errors: Array<{ pointer: string }> }).errors).toEqual([expect.objectContaining({ pointer: '/data/account/username' })]);
  // Another account may still mention it: that is not the deleted account acting.
  const mention = await sendEvents(gw.url, { id: eventId('m'), type: 'post.created', occurredAt: at(90), data: { post: postData('pm-1', 'acc-pia', { mentions: [{ accountId: 'acc-dee' }] }) } });
  expect(mention.status).toBe(202);
  // Repeating the deletion (a new id) is harmless: nothing more goes out.
  const before = followerServer.received.length;
  await applied(await send('account.deleted', at(95), { accountId: 'acc-dee' }));
  expect(followerServer.received.length).toBe(before);
  expect(sink.schemaErrors).toBe(0);
});

/** Every non-queue key under the test prefix whose name or content mentions one of `needles`. */
async function recordsMentioning(needles: string[]): Promise<Record<string, Record<string, string> | string | string[]>> {
  const prefix = `${gw.g.config.redisPrefix}:`;
  const found: Record<string, Record<string, string> | string | string[]> = {};
  let cursor = '0';
  do {
    const [next, keys] = await gw.g.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key.startsWith(`${prefix}{`)) continue; // BullMQ queues (see the report: job payloads age out)
      const type = await gw.g.redis.type(key);
      const value =
        type === 'hash' ? await gw.g.redis.hgetall(key)
        : type === 'set' ? await gw.g.redis.smembers(key)
        : type === 'zset' ? await gw.g.redis.zrange(key, 0, -1)
        : type === 'string' ? ((await gw.g.redis.get(key)) ?? '')
        : [];
      const text = `${key} ${JSON.stringify(value)}`;
      if (needles.some((n) => text.includes(n))) found[key] = value;
    }
  } while (cursor !== '0');
  return found;
}

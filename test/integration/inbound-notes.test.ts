// Remote notes over real signed inbox POSTs: a followed actor's post, edit and delete; a mention;
// a quote; a reply in a local thread at depth two; and notes for nobody here, Deletes before
// Creates, Updates before Creates and Deletes by another actor, none of which reach the platform.
import type { JsonObject } from '../../services/activitypub/as-read';
import { runCallback } from '../../services/federation/callback-job';
import { handleInbound } from '../../services/federation/handle-inbound';
import { jobIdOf } from '../../services/queue/jobs';
import { createQueues } from '../../services/queue/queues';
import { type Rig, enableAccount, startRig } from '../support/fixtures-setup';
import type { PlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import type { RemoteServer } from '../support/remote-server';
import { type TestGateway, eventually } from '../support/test-gateway';
import { inboxProcessed } from '../support/inbox-jobs';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
  ({ remote, sink, gw } = rig);
  await enableAccount(gw, 'acc-alice', 'alice');
  await enableAccount(gw, 'acc-carol', 'carol');
  await enableAccount(gw, 'acc-quit', 'quit');
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-1', 'acc-alice') } });
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-q', 'acc-quit') } });
  await eventually(async () => (await gw.g.posts.get('p-1'))?.federated && (await gw.g.posts.get('p-q'))?.federated, 'posts federated');
  await sendEvents(gw.url, { id: eventId('off'), type: 'account.disabled', occurredAt: at(3), data: { accountId: 'acc-quit' } });
  await eventually(async () => (await gw.g.accounts.get('acc-quit'))?.state === 'disabled', 'quit opted out');
  // Alice's follow of bob was accepted (the round trip itself is test/integration/follows.test.ts).
  await gw.g.following.request('acc-alice', { target: remote.actorUri('bob'), followId: 'f-bob', activityId: `${gw.url}/activities/e/follow`, inbox: `${remote.origin}/users/bob/inbox`, since: at(0) });
  await gw.g.following.accept('acc-alice', remote.actorUri('bob'));
});

afterAll(() => rig.close());

let seq = 0;
function note(author: string, extra: JsonObject = {}): JsonObject {
  const id = `${remote.origin}/users/${author}/statuses/${++seq}`;
  return { id, type: 'Note', attributedTo: remote.actorUri(author), content: `<p>note ${seq}</p>`, published: '2026-11-02T09:00:00Z', to: [PUBLIC], cc: [`${remote.actorUri(author)}/followers`], ...extra };
}
const wrap = (type: string, object: JsonObject | string, author: string, suffix = type.toLowerCase()): JsonObject => ({
  '@context': AS,
  id: `${typeof object === 'string' ? object : object.id}#${suffix}`,
  type,
  actor: remote.actorUri(author),
  to: [PUBLIC],
  object,
});
async function deliver(activity: JsonObject, author: string) {
  expect((await remote.post(`${gw.url}/inbox`, activity, { as: author })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, { id: String(activity.id), actor: remote.actorUri(author) }), `${String(activity.id)} processed`);
}
const callbacksFor = (uri: string) => sink.callbacks.filter((c) => c.data.post?.uri === uri);
const job = (activity: JsonObject, author: string) => ({ activity, activityId: String(activity.id), signer: remote.actorUri(author), receivedAt: new Date().toISOString() });

test('a followed actor\'s post, its edit and its deletion reach the platform as fediverse.post.*', async () => {
  const n = note('bob', { tag: [{ type: 'Hashtag', name: '#cats', href: `${remote.origin}/tags/cats` }] });
  await deliver(wrap('Create', n, 'bob'), 'bob');
  const created = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.post.created'), 'post.created');
  expect(created.data).toMatchObject({ accountIds: ['acc-alice'], post: { uri: n.id, author: { uri: remote.actorUri('bob'), name: 'BOB' }, hashtags: ['cats'], text: `note ${seq}` } });
  // The followers are not stored per note (there may be thousands): only that it went out as a post.
  expect((await gw.g.remoteNotes.get(String(n.id)))?.roles).toEqual({ post: [] });

  const edited = { ...n, content: '<p>edited</p>', updated: '2026-11-02T09:30:00Z' };
  await deliver(wrap('Update', edited, 'bob'), 'bob');
  const updated = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.post.updated'), 'post.updated');
  expect(updated.data).toMatchObject({ accountIds: ['acc-alice'], post: { text: 'edited', updatedAt: '2026-11-02T09:30:00Z' } });

  // Mastodon's Delete: a Tombstone naming only the id.
  await deliver(wrap('Delete', { id: String(n.id), type: 'Tombstone' }, 'bob'), 'bob');
  const deleted = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.post.deleted'), 'post.deleted');
  expect(deleted.data).toMatchObject({ accountIds: ['acc-alice'], post: { uri: n.id, author: { uri: remote.actorUri('bob') } } });
  expect(callbacksFor(String(n.id)).map((c) => c.type)).toEqual(['fediverse.post.created', 'fediverse.post.updated', 'fediverse.post.deleted']);

  // A created or updated callback still retrying once the note is deleted is dropped at send time.
  const attempts = sink.attempts.length;
  await runCallback(gw.g, created);
  await runCallback(gw.g, updated);
  expect(sink.attempts.length).toBe(attempts);
});

test('a direct message from a followed actor to someone else is not passed on', async () => {
  const dm = note('bob', { to: ['https://elsewhere.example/users/eve'], cc: [] });
  expect(await handleInbound(gw.g, job(wrap('Create', dm, 'bob'), 'bob'))).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
});

test('a mention of a local account is fediverse.mention.created naming it', async () => {
  const n = note('dave', { content: '<p>@carol hi</p>', tag: [{ type: 'Mention', href: `${gw.url}/users/carol`, name: '@carol' }], to: [`${gw.url}/users/carol`], cc: [] });
  await deliver(wrap('Create', n, 'dave'), 'dave');
  const mention = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.mention.created'), 'mention.created');
  // Addressed to Carol alone: the platform must not show it to anyone else.
  expect(mention.data).toMatchObject({ accountIds: ['acc-carol'], post: { mentions: [{ accountId: 'acc-carol' }], visibility: 'direct' } });
  expect(callbacksFor(String(n.id))).toHaveLength(1);
});

test('a quote of a local post (Misskey notation) is fediverse.quote.created with quoteOf {postId}', async () => {
  const n = note('dave', { _misskey_quote: `${gw.url}/posts/p-1`, quoteUrl: `${gw.url}/posts/p-1`, content: `<p>so true<br><br>RE: ${gw.url}/posts/p-1</p>` });
  await deliver(wrap('Create', n, 'dave'), 'dave');
  const quote = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.quote.created'), 'quote.created');
  expect(quote.data).toMatchObject({ accountIds: ['acc-alice'], post: { quoteOf: { postId: 'p-1' } } });
});

test('a reply to a remote reply of a local post is still a reply to the local root, with its parent', async () => {
  const first = note('dave', { inReplyTo: `${gw.url}/posts/p-1` });
  await deliver(wrap('Create', first, 'dave'), 'dave');
  await eventually(() => callbacksFor(String(first.id)).find((c) => c.type === 'fediverse.reply.created'), 'the first reply');
  // Erin answers Dave and mentions Carol: a reply for Alice, a mention for Carol.
  const deep = note('erin', { inReplyTo: first.id!, tag: [{ type: 'Mention', href: `${gw.url}/users/carol`, name: '@carol' }] });
  await deliver(wrap('Create', deep, 'erin'), 'erin');
  const reply = await eventually(() => callbacksFor(String(deep.id)).find((c) => c.type === 'fediverse.reply.created'), 'the deep reply');
  expect(reply.data).toMatchObject({ accountIds: ['acc-alice'], post: { inReplyTo: { postId: 'p-1' }, parentUri: first.id } });
  const mention = await eventually(() => callbacksFor(String(deep.id)).find((c) => c.type === 'fediverse.mention.created'), 'the mention in it');
  expect(mention.data.accountIds).toEqual(['acc-carol']);

  // Erin deletes it by bare id (GoToSocial's form): both roles hear of it.
  await deliver({ '@context': AS, id: `${deep.id}#delete`, type: 'Delete', actor: remote.actorUri('erin'), object: String(deep.id) }, 'erin');
  await eventually(() => callbacksFor(String(deep.id)).filter((c) => c.type.endsWith('.deleted')).length === 2, 'reply.deleted and mention.deleted');
  expect(callbacksFor(String(deep.id)).find((c) => c.type === 'fediverse.reply.deleted')!.data).toMatchObject({ accountIds: ['acc-alice'], post: { inReplyTo: { postId: 'p-1' } } });
});

test('a note for nobody here is refused with its reason', async () => {
  expect(await handleInbound(gw.g, job(wrap('Create', note('zed'), 'zed'), 'zed'))).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
  expect(await handleInbound(gw.g, job(wrap('Create', note('zed', { inReplyTo: `${gw.url}/posts/no-such-post` }), 'zed'), 'zed'))).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
});

test('an opted-out account\'s post gets no replies or quotes', async () => {
  expect(await handleInbound(gw.g, job(wrap('Create', note('dave', { inReplyTo: `${gw.url}/posts/p-q` }), 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
  expect(await handleInbound(gw.g, job(wrap('Create', note('dave', { quote: `${gw.url}/posts/p-q` }), 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'not_addressed_to_local' });
});

test('a Delete processed before its Create leaves the note deleted', async () => {
  const n = note('dave', { inReplyTo: `${gw.url}/posts/p-1` });
  expect(await handleInbound(gw.g, job(wrap('Delete', { id: String(n.id), type: 'Tombstone' }, 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'unknown_note' });
  expect(await handleInbound(gw.g, job(wrap('Create', n, 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'note_deleted' });
  expect(await handleInbound(gw.g, job(wrap('Update', { ...n, updated: '2026-11-03T00:00:00Z' }, 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'note_deleted' });
  expect(callbacksFor(String(n.id))).toEqual([]);
  // Servers send Deletes of every note to every server they know: one never passed on is kept a day, not a year.
  const ttl = await gw.g.redis.ttl(gw.g.keys.remoteNote(String(n.id)));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(24 * 3600);
});

test('an Update processed before its Create passes the newer version on; the late Create changes nothing', async () => {
  const n = note('dave', { inReplyTo: `${gw.url}/posts/p-1` });
  const edit = { ...n, content: '<p>newer</p>', updated: '2026-11-02T10:00:00Z' };
  expect(await handleInbound(gw.g, job(wrap('Update', edit, 'dave'), 'dave'))).toEqual({ outcome: 'applied', kind: 'note' });
  expect(await handleInbound(gw.g, job(wrap('Create', n, 'dave'), 'dave'))).toEqual({ outcome: 'ignored', reason: 'stale_note' });
  const created = await eventually(() => callbacksFor(String(n.id)).find((c) => c.type === 'fediverse.reply.created'), 'reply.created of the newer version');
  expect(created.data.post.text).toBe('newer');
  expect(callbacksFor(String(n.id))).toHaveLength(1);
});

test('a Delete or Update of a note by another actor of its server is refused', async () => {
  const n = note('dave', { inReplyTo: `${gw.url}/posts/p-1` });
  await deliver(wrap('Create', n, 'dave'), 'dave');
  await eventually(() => callbacksFor(String(n.id)).length, 'the reply passed on');
  expect(await handleInbound(gw.g, job(wrap('Delete', String(n.id), 'mallory'), 'mallory'))).toEqual({ outcome: 'ignored', reason: 'not_author' });
  // Nor can another actor claim the note by naming itself its author.
  expect(await handleInbound(gw.g, job(wrap('Update', { ...n, attributedTo: remote.actorUri('mallory') }, 'mallory'), 'mallory'))).toEqual({ outcome: 'ignored', reason: 'not_author' });
  expect(callbacksFor(String(n.id)).map((c) => c.type)).toEqual(['fediverse.reply.created']);
});

test('a job retried after a crash between recording the note and queueing its callbacks sends the callbacks the first attempt meant to', async () => {
  // An Update of a reply whose Create has not come: a reply.created, by the note's id.
  const n = note('dave', { inReplyTo: `${gw.url}/posts/p-1`, updated: '2026-11-02T10:00:00Z' });
  const update = job(wrap('Update', n, 'dave'), 'dave');
  // The first attempt records the note, then its callback queue's Redis is gone (the worker dies).
  const lost = gw.g.queueRedis.duplicate();
  await lost.quit();
  const lostQueues = createQueues(lost, gw.g.config.redisPrefix);
  await expect(handleInbound({ ...gw.g, queues: { ...gw.g.queues, callbacks: lostQueues.callbacks } }, update)).rejects.toThrow();
  expect((await gw.g.remoteNotes.get(String(n.id)))?.roles).toEqual({ reply: ['acc-alice'] });
  expect(await gw.g.queues.callbacks.getJob(jobIdOf('callback', `fediverse.reply.created:${String(n.id)}`))).toBeUndefined();

  expect(await handleInbound(gw.g, update)).toEqual({ outcome: 'applied', kind: 'note' });
  const sent = await eventually(() => callbacksFor(String(n.id))[0], 'the callback of the retry');
  expect({ id: sent.id, type: sent.type }).toEqual({ id: `fediverse.reply.created:${String(n.id)}`, type: 'fediverse.reply.created' });
  // The next Update is one the platform's copy gets as an update.
  const next = wrap('Update', { ...n, content: '<p>again</p>', updated: '2026-11-02T11:00:00Z' }, 'dave', 'update2');
  expect(await handleInbound(gw.g, job(next, 'dave'))).toEqual({ outcome: 'applied', kind: 'note' });
  await eventually(() => callbacksFor(String(n.id)).length === 2, 'the second update');
  expect(callbacksFor(String(n.id)).map((c) => c.type)).toEqual(['fediverse.reply.created', 'fediverse.reply.updated']);
  await Promise.all(Object.values(lostQueues).map((q) => q.close().catch(() => undefined)));
});

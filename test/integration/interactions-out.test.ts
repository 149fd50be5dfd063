// Likes, reposts and reports from the platform reach remote servers signed, over real HTTP and
// the real queues; their Undo goes to the same inboxes; what is not sent says why.
import { eventJobId } from '../../services/platform/intake';
import { enableAccount, addRemoteFollower } from '../support/fixtures-setup';
import { independentlyVerified } from '../support/independent-verify';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
let sink: PlatformSink;
let author: RemoteServer; // bob's server: he wrote the notes liked and reposted
let fans: RemoteServer; // carol's server: she follows alice
let gw: TestGateway;
let alicePem: string;

const note = (path: string, extra: Record<string, unknown> = {}) => ({
  '@context': 'https://www.w3.org/ns/activitystreams',
  id: `${author.origin}${path}`,
  type: 'Note',
  attributedTo: author.actorUri('bob'),
  content: '<p>hello</p>',
  to: [PUBLIC],
  cc: [`${author.origin}/users/bob/followers`],
  ...extra,
});

async function send(type: string, data: Record<string, unknown>, occurredAt = at(10)) {
  const id = eventId(type);
  const res = await sendEvents(gw.url, { id, type, occurredAt, data });
  expect(res.status).toBe(202);
  return id;
}

/** The outcome the events worker recorded for an event (BullMQ keeps the return value). */
const outcomeOf = (id: string) => eventually(async () => (await gw.g.queues.events.getJob(eventJobId(id)))?.returnvalue as string | undefined, `outcome of ${id}`);
const receivedBy = (server: RemoteServer, type: string, id?: string) => server.received.filter((r) => r.json.type === type && (!id || r.json.id === id));

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  author = await startRemoteServer();
  fans = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-alice', 'alice');
  await addRemoteFollower(gw, 'acc-alice', fans, 'carol');
  const actor = (await (await fetch(`${gw.url}/users/alice`, { headers: { accept: 'application/activity+json' } })).json()) as { publicKey: { publicKeyPem: string } };
  alicePem = actor.publicKey.publicKeyPem;
});

afterAll(async () => {
  await gw.close();
  await author.close();
  await fans.close();
  await sink.close();
});

test('like.created of a remote note sends a signed Like to its author; like.deleted an Undo(Like)', async () => {
  author.documents.set('/users/bob/statuses/1', note('/users/bob/statuses/1'));
  await send('like.created', { like: { id: 'like-1', accountId: 'acc-alice', of: { uri: `${author.origin}/users/bob/statuses/1` } } });
  const like = await eventually(() => receivedBy(author, 'Like')[0], 'the Like');
  expect(like.path).toBe('/users/bob/inbox');
  expect(like.json).toEqual({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${gw.url}/users/alice/likes/like-1`,
    type: 'Like',
    actor: `${gw.url}/users/alice`,
    object: `${author.origin}/users/bob/statuses/1`,
    to: [author.actorUri('bob')],
  });
  expect(independentlyVerified(like, alicePem).ok).toBe(true);
  expect(receivedBy(fans, 'Like')).toEqual([]);

  await send('like.deleted', { like: { id: 'like-1', accountId: 'acc-alice', of: { uri: `${author.origin}/users/bob/statuses/1` } } }, at(20));
  const undo = await eventually(() => receivedBy(author, 'Undo')[0], 'the Undo(Like)');
  expect(undo.path).toBe('/users/bob/inbox');
  expect(undo.json.object).toEqual({ id: like.json.id, type: 'Like', actor: `${gw.url}/users/alice`, object: `${author.origin}/users/bob/statuses/1` });
  expect(independentlyVerified(undo, alicePem).ok).toBe(true);
});

test('a like.deleted applied before its like.created leaves nothing to send', async () => {
  author.documents.set('/users/bob/statuses/2', note('/users/bob/statuses/2'));
  const of = { uri: `${author.origin}/users/bob/statuses/2` };
  const deleted = await send('like.deleted', { like: { id: 'like-2', accountId: 'acc-alice', of } }, at(30));
  expect(await outcomeOf(deleted)).toBe('no_change');
  const created = await send('like.created', { like: { id: 'like-2', accountId: 'acc-alice', of } }, at(25));
  expect(await outcomeOf(created)).toBe('stale');
  expect(author.received.filter((r) => (r.json.id as string).includes('like-2'))).toEqual([]);
});

test('a like of a platform post sends nothing and says so; a like of a missing note says it is not found', async () => {
  await send('post.created', { post: postData('p-own', 'acc-alice') });
  await eventually(() => fans.received.find((r) => r.json.type === 'Create'), 'the Create of p-own');
  const local = await send('like.created', { like: { id: 'like-3', accountId: 'acc-alice', of: { postId: 'p-own' } } });
  expect(await outcomeOf(local)).toBe('local_only');
  const missing = await send('like.created', { like: { id: 'like-4', accountId: 'acc-alice', of: { uri: `${author.origin}/users/bob/statuses/404` } } });
  expect(await outcomeOf(missing)).toBe('target_not_found');
  expect(author.received.filter((r) => r.json.type === 'Like' && r.json.id !== `${gw.url}/users/alice/likes/like-1`)).toEqual([]);
});

test('repost.created of a remote note: Announce to the followers and the author; repost.deleted: Undo to both', async () => {
  author.documents.set('/users/bob/statuses/3', note('/users/bob/statuses/3'));
  const of = { uri: `${author.origin}/users/bob/statuses/3` };
  await send('repost.created', { repost: { id: 'rp-1', accountId: 'acc-alice', of } }, at(40));
  const id = `${gw.url}/users/alice/reposts/rp-1`;
  const toFans = await eventually(() => receivedBy(fans, 'Announce', id)[0], 'the Announce at the follower\'s server');
  const toAuthor = await eventually(() => receivedBy(author, 'Announce', id)[0], 'the Announce at the author\'s server');
  expect(toFans.path).toBe('/inbox');
  expect(toAuthor.path).toBe('/inbox');
  expect(toFans.json).toMatchObject({ type: 'Announce', actor: `${gw.url}/users/alice`, object: of.uri, to: [PUBLIC], cc: [`${gw.url}/users/alice/followers`, author.actorUri('bob')], published: at(40) });
  expect(independentlyVerified(toFans, alicePem).ok).toBe(true);
  expect(independentlyVerified(toAuthor, alicePem).ok).toBe(true);

  await send('repost.deleted', { repost: { id: 'rp-1', accountId: 'acc-alice', of } }, at(50));
  const undoFans = await eventually(() => receivedBy(fans, 'Undo', `${id}/undo`)[0], 'the Undo(Announce) at the follower\'s server');
  await eventually(() => receivedBy(author, 'Undo', `${id}/undo`)[0], 'the Undo(Announce) at the author\'s server');
  expect(undoFans.json.object).toMatchObject({ id, type: 'Announce' });
});

test('repost of a platform post goes to the followers; a followers-only one is not reposted', async () => {
  await send('post.created', { post: postData('p-pub', 'acc-alice') });
  await send('repost.created', { repost: { id: 'rp-2', accountId: 'acc-alice', of: { postId: 'p-pub' } } }, at(60));
  const announce = await eventually(() => receivedBy(fans, 'Announce', `${gw.url}/users/alice/reposts/rp-2`)[0], 'the Announce of p-pub');
  expect(announce.json).toMatchObject({ object: `${gw.url}/posts/p-pub`, cc: [`${gw.url}/users/alice/followers`, `${gw.url}/users/alice`] });

  await send('post.created', { post: postData('p-priv', 'acc-alice', { visibility: 'followers' }) });
  const refused = await send('repost.created', { repost: { id: 'rp-3', accountId: 'acc-alice', of: { postId: 'p-priv' } } }, at(61));
  expect(await outcomeOf(refused)).toBe('not_public');
  author.documents.set('/users/bob/statuses/4', note('/users/bob/statuses/4', { to: [`${author.origin}/users/bob/followers`], cc: [] }));
  const remotePrivate = await send('repost.created', { repost: { id: 'rp-4', accountId: 'acc-alice', of: { uri: `${author.origin}/users/bob/statuses/4` } } }, at(62));
  expect(await outcomeOf(remotePrivate)).toBe('not_public');
});

test('report.created sends a Flag from the instance actor to the target\'s shared inbox', async () => {
  const instance = (await (await fetch(`${gw.url}/actor`, { headers: { accept: 'application/activity+json' } })).json()) as { publicKey: { publicKeyPem: string } };
  await send('report.created', {
    report: { id: 'r-1', accountId: 'acc-alice', target: { uri: author.actorUri('bob') }, objects: [{ uri: `${author.origin}/users/bob/statuses/1` }, { postId: 'p-own' }], comment: 'spam' },
  });
  const flag = await eventually(() => receivedBy(author, 'Flag')[0], 'the Flag');
  expect(flag.path).toBe('/inbox');
  expect(flag.json).toEqual({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${gw.url}/reports/r-1`,
    type: 'Flag',
    actor: `${gw.url}/actor`,
    content: 'spam',
    object: [author.actorUri('bob'), `${author.origin}/users/bob/statuses/1`],
    to: [author.actorUri('bob')],
  });
  expect(independentlyVerified(flag, instance.publicKey.publicKeyPem)).toMatchObject({ ok: true, keyId: `${gw.url}/actor#main-key` });
});

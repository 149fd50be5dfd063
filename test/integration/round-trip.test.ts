// The spine, end to end over real HTTP and the real queues: a remote server follows a local
// account, gets the Accept and the posts; likes and replies come back as platform callbacks.
import { independentlyVerified } from '../support/independent-verify';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { inboxProcessed } from '../support/inbox-jobs';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let alicePem: string;

const received = (type: string, objectId?: string) =>
  remote.received.find((r) => r.json.type === type && (!objectId || (r.json.object as { id?: string })?.id === objectId || r.json.object === objectId));
const callback = (type: string) => sink.callbacks.find((c) => c.type === type);

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  const res = await sendEvents(gw.url, { id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('acc-alice', 'alice') } });
  expect(res.status).toBe(202);
  const actor = await eventually(async () => {
    const r = await fetch(`${gw.url}/users/alice`, { headers: { accept: 'application/activity+json' } });
    return r.status === 200 ? ((await r.json()) as { publicKey: { publicKeyPem: string } }) : undefined;
  }, 'alice to be published');
  alicePem = actor.publicKey.publicKeyPem;
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

test('a remote Follow is accepted with a signed Accept and reported to the platform', async () => {
  const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/1`, type: 'Follow', actor: remote.actorUri('bob'), object: `${gw.url}/users/alice` };
  const res = await remote.post(`${gw.url}/users/alice/inbox`, follow);
  expect(res.status).toBe(202);

  const accept = await eventually(() => received('Accept'), 'the Accept');
  expect(accept.path).toBe('/users/bob/inbox');
  expect(accept.json).toMatchObject({ type: 'Accept', actor: `${gw.url}/users/alice`, object: { id: follow.id, type: 'Follow' } });
  expect(accept.headers['content-type']).toBe('application/activity+json');
  const verified = independentlyVerified(accept, alicePem);
  expect(verified).toEqual({ ok: true, keyId: `${gw.url}/users/alice#main-key`, headers: ['(request-target)', 'host', 'date', 'digest', 'content-type'] });

  const added = await eventually(() => callback('fediverse.follower.added'), 'follower.added callback');
  expect(added.data).toMatchObject({ accountId: 'acc-alice', follower: { uri: remote.actorUri('bob'), handle: `@bob@${new URL(remote.origin).host}`, name: 'BOB' } });
  expect(added.data.follower.summaryHtml).not.toContain('<script');
  expect(await gw.g.followers.count('acc-alice')).toBe(1);
});

test('a public post goes out as a signed Create to the shared inbox, then Update and Delete', async () => {
  const post = postData('p-1', 'acc-alice', { text: 'Hello <world> #Fedi https://example.com/a', language: 'en' });
  expect((await sendEvents(gw.url, { id: eventId('create'), type: 'post.created', occurredAt: at(10), data: { post } })).status).toBe(202);
  const noteId = `${gw.url}/posts/p-1`;
  const create = await eventually(() => received('Create', noteId), 'the Create');
  expect(create.path).toBe('/inbox');
  expect(independentlyVerified(create, alicePem).ok).toBe(true);
  const note = create.json.object as Record<string, any>;
  expect(note).toMatchObject({ type: 'Note', attributedTo: `${gw.url}/users/alice`, to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${gw.url}/users/alice/followers`] });
  expect(note.content).toContain('Hello &lt;world&gt;');
  expect(note.content).toContain('href="https://example.com/a"');
  expect(note.contentMap).toEqual({ en: note.content });
  expect(note.tag).toEqual([{ type: 'Hashtag', href: `${gw.url}/tags/fedi`, name: '#Fedi' }]);

  const served = await fetch(noteId, { headers: { accept: 'application/activity+json' } });
  expect(served.status).toBe(200);
  expect(((await served.json()) as { content: string }).content).toBe(note.content);

  await sendEvents(gw.url, { id: eventId('update'), type: 'post.updated', occurredAt: at(20), data: { post: { ...post, text: 'edited' } } });
  const update = await eventually(() => received('Update', noteId), 'the Update');
  expect((update.json.object as Record<string, unknown>).content).toBe('<p>edited</p>');
  expect((update.json.object as Record<string, unknown>).updated).toBe(at(20).replace('.000Z', '.000Z'));

  await sendEvents(gw.url, { id: eventId('delete'), type: 'post.deleted', occurredAt: at(30), data: { postId: 'p-1', accountId: 'acc-alice' } });
  const del = await eventually(() => received('Delete', noteId), 'the Delete');
  expect(del.json.object).toMatchObject({ id: noteId, type: 'Tombstone' });
  const gone = await fetch(noteId, { headers: { accept: 'application/activity+json' } });
  expect(gone.status).toBe(410);
  expect(await gone.json()).toMatchObject({ type: 'Tombstone', id: noteId });
});

test('likes, unlikes and replies from the fediverse reach the platform as signed callbacks', async () => {
  await sendEvents(gw.url, { id: eventId('create'), type: 'post.created', occurredAt: at(40), data: { post: postData('p-2', 'acc-alice') } });
  const noteId = `${gw.url}/posts/p-2`;
  await eventually(() => received('Create', noteId), 'the Create of p-2');

  const like = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/1`, type: 'Like', actor: remote.actorUri('bob'), object: noteId };
  expect((await remote.post(`${gw.url}/inbox`, like)).status).toBe(202);
  const liked = await eventually(() => callback('fediverse.like.created'), 'like.created');
  expect(liked.data).toMatchObject({ postId: 'p-2', activityId: like.id, actor: { uri: remote.actorUri('bob') } });

  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/1/undo`, type: 'Undo', actor: remote.actorUri('bob'), object: like };
  expect((await remote.post(`${gw.url}/inbox`, undo)).status).toBe(202);
  const unliked = await eventually(() => callback('fediverse.like.deleted'), 'like.deleted');
  expect(unliked.data).toMatchObject({ postId: 'p-2', activityId: like.id });

  const reply = {
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${remote.origin}/notes/9/activity`,
    type: 'Create',
    actor: remote.actorUri('bob'),
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    object: {
      id: `${remote.origin}/notes/9`,
      type: 'Note',
      attributedTo: remote.actorUri('bob'),
      inReplyTo: noteId,
      content: '<p>Nice <img src=x onerror=alert(1)>post<br>second line</p>',
      published: '2026-11-01T11:00:00Z',
      tag: [{ type: 'Mention', href: `${gw.url}/users/alice`, name: '@alice' }],
    },
  };
  expect((await remote.post(`${gw.url}/inbox`, reply)).status).toBe(202);
  const replied = await eventually(() => callback('fediverse.reply.created'), 'reply.created');
  expect(replied.data.post).toMatchObject({
    uri: `${remote.origin}/notes/9`,
    inReplyTo: { postId: 'p-2' },
    contentHtml: '<p>Nice post<br />second line</p>',
    text: 'Nice post\nsecond line',
    mentions: [{ accountId: 'acc-alice' }],
    author: { uri: remote.actorUri('bob') },
  });
  expect(replied.data.accountIds).toEqual(['acc-alice']);
});

test('Undo(Follow) removes the follower and tells the platform', async () => {
  const follow = { id: `${remote.origin}/follows/1`, type: 'Follow', actor: remote.actorUri('bob'), object: `${gw.url}/users/alice` };
  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/1/undo`, type: 'Undo', actor: remote.actorUri('bob'), object: follow };
  expect((await remote.post(`${gw.url}/users/alice/inbox`, undo)).status).toBe(202);
  const removed = await eventually(() => callback('fediverse.follower.removed'), 'follower.removed');
  expect(removed.data).toMatchObject({ accountId: 'acc-alice', follower: { uri: remote.actorUri('bob') } });
  expect(await gw.g.followers.count('acc-alice')).toBe(0);
  expect(sink.badSignatures).toBe(0);
});

test('Undo(Follow) from an actor whose document is now gone still tells the platform', async () => {
  const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/gina`, type: 'Follow', actor: remote.actorUri('gina'), object: `${gw.url}/users/alice` };
  expect((await remote.post(`${gw.url}/users/alice/inbox`, follow, { as: 'gina' })).status).toBe(202);
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.added' && c.data.follower.uri === remote.actorUri('gina')), 'gina followed');
  // Her server stops serving her actor, and the gateway's cached copy expires.
  remote.goneActors.add('gina');
  await gw.g.redis.del(gw.g.keys.remoteActor(remote.actorUri('gina')));
  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/gina/undo`, type: 'Undo', actor: remote.actorUri('gina'), object: follow };
  expect((await remote.post(`${gw.url}/users/alice/inbox`, undo, { as: 'gina' })).status).toBe(202);
  const removed = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.removed' && c.data.follower.uri === remote.actorUri('gina')), 'follower.removed for gina');
  expect(removed.data.follower).toMatchObject({ handle: `@gina@${new URL(remote.origin).host}` });
  expect(await gw.g.followers.get('acc-alice', remote.actorUri('gina'))).toBeUndefined();
});

test('an Undo(Follow) processed before its Follow leaves no follower behind', async () => {
  const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/hank`, type: 'Follow', actor: remote.actorUri('hank'), object: `${gw.url}/users/alice` };
  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/hank/undo`, type: 'Undo', actor: remote.actorUri('hank'), object: follow };
  // The Undo reaches the worker first (concurrent workers can reorder a Follow and its Undo).
  expect((await remote.post(`${gw.url}/users/alice/inbox`, undo, { as: 'hank' })).status).toBe(202);
  await eventually(async () => inboxProcessed(gw.g, undo), 'the Undo processed');
  expect((await remote.post(`${gw.url}/users/alice/inbox`, follow, { as: 'hank' })).status).toBe(202);
  await eventually(async () => inboxProcessed(gw.g, follow), 'the Follow processed');
  expect(await gw.g.followers.get('acc-alice', remote.actorUri('hank'))).toBeUndefined();
  expect(sink.callbacks.filter((c) => c.data.follower?.uri === remote.actorUri('hank'))).toEqual([]);
});

test('every callback sent so far matches the contract schema published in /openapi.json', () => {
  expect(sink.callbacks.length).toBeGreaterThanOrEqual(5);
  expect(sink.schemaProblems).toEqual([]);
  expect(sink.schemaErrors).toBe(0);
});

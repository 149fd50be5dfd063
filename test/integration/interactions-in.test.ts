// Reactions, reposts, blocks, reports and actor lifecycle from the fediverse reach the platform
// as signed callbacks, over real HTTP and the real queues.
import { createPrivateKey } from 'node:crypto';
import { enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { unlinkKeys } from '../../services/store/redis';
import { type SignedActivity, replayKeyOf } from '../support/inbox-jobs';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let sink: PlatformSink;
let remote: RemoteServer; // bob and friends
let other: RemoteServer; // carol writes the notes bob reposts; the accounts people move to
let gw: TestGateway;

const callback = (type: string, pred: (data: Record<string, any>) => boolean = () => true) => eventually(() => sink.callbacks.find((c) => c.type === type && pred(c.data)), type);
const inboxOutcome = (activity: SignedActivity) => eventually(async () => (await gw.g.queues.inbox.getJob(replayKeyOf(activity)))?.returnvalue as { outcome: string; reason?: string; kind?: string } | undefined, `inbox outcome of ${activity.id}`);
/** Unverified self-Deletes are queued under their actor's key, whatever their id: found by the activity they carry. */
const unverifiedOutcome = (activityId: string) =>
  eventually(async () => (await gw.g.queues.inbox.getCompleted()).find((j) => j.data.activity.id === activityId && j.data.unverifiedGoneActor)?.returnvalue as { outcome: string; reason?: string } | undefined, `outcome of unverified ${activityId}`);
const post = (activity: Record<string, unknown>, as = 'bob') => remote.post(`${gw.url}/inbox`, { '@context': AS, ...activity }, { as });

/** An actor served from the documents map (to give it alsoKnownAs or change it), signing with the server's key. */
function customActor(server: RemoteServer, name: string, extra: Record<string, unknown>) {
  const id = server.actorUri(name);
  server.documents.set(`/users/${name}`, {
    '@context': [AS, 'https://w3id.org/security/v1'], id, type: 'Person', preferredUsername: name, name, inbox: `${id}/inbox`,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: server.keyPem.publicKeyPem }, ...extra,
  });
  return id;
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  [remote, other] = await Promise.all([startRemoteServer(), startRemoteServer()]);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-alice', 'alice');
  await enableAccount(gw, 'acc-zoe', 'zoe');
  expect((await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-1', 'acc-alice') } })).status).toBe(202);
  await eventually(() => gw.g.posts.isFederated('p-1'), 'p-1 stored');
});

afterAll(async () => {
  await gw.close();
  await Promise.all([remote.close(), other.close()]);
  await sink.close();
});

test('a Misskey reaction and a Pleroma EmojiReact become like.created with the reaction; their Undo like.deleted', async () => {
  const like = {
    type: 'Like', id: `${remote.origin}/likes/r1`, actor: remote.actorUri('bob'), object: `${gw.url}/posts/p-1`, content: ':blobcat:', _misskey_reaction: ':blobcat:',
    tag: [{ id: `${remote.origin}/emojis/blobcat`, type: 'Emoji', name: ':blobcat:', icon: { type: 'Image', mediaType: 'image/png', url: `${remote.origin}/files/blobcat.png` } }],
  };
  expect((await post(like)).status).toBe(202);
  const created = await callback('fediverse.like.created', (d) => d.activityId === like.id);
  expect(created.data).toMatchObject({ postId: 'p-1', accountId: 'acc-alice', actor: { uri: remote.actorUri('bob') }, reaction: { content: ':blobcat:', emojiUrl: `${remote.origin}/files/blobcat.png` } });
  // Misskey undoes by reference.
  expect((await post({ type: 'Undo', id: `${like.id}/undo`, actor: remote.actorUri('bob'), object: like.id })).status).toBe(202);
  const deleted = await callback('fediverse.like.deleted', (d) => d.activityId === like.id);
  expect(deleted.data).toMatchObject({ postId: 'p-1', reaction: { content: ':blobcat:' } });

  const react = { type: 'EmojiReact', id: `${remote.origin}/activities/react-1`, actor: remote.actorUri('lain'), object: `${gw.url}/posts/p-1`, content: '👌' };
  expect((await post(react, 'lain')).status).toBe(202);
  expect((await callback('fediverse.like.created', (d) => d.activityId === react.id)).data.reaction).toEqual({ content: '👌' });
  const bad = { ...react, id: `${remote.origin}/activities/react-2`, content: '👌👌' };
  expect((await post(bad, 'lain')).status).toBe(202);
  expect(await inboxOutcome(bad)).toEqual({ outcome: 'ignored', reason: 'invalid_reaction' });
  expect((await post({ type: 'Undo', id: `${react.id}/undo`, actor: remote.actorUri('lain'), object: react }, 'lain')).status).toBe(202);
  await callback('fediverse.like.deleted', (d) => d.activityId === react.id);
});

test('an Announce of a local post becomes repost.created; its Undo repost.deleted', async () => {
  const announce = { id: `${remote.origin}/users/bob/statuses/5/activity`, type: 'Announce', actor: remote.actorUri('bob'), to: [PUBLIC], cc: [`${gw.url}/users/alice`], object: `${gw.url}/posts/p-1` };
  expect((await post(announce)).status).toBe(202);
  const created = await callback('fediverse.repost.created');
  expect(created.data).toMatchObject({ postId: 'p-1', accountId: 'acc-alice', activityId: announce.id, actor: { uri: remote.actorUri('bob'), name: 'BOB' } });
  expect((await post({ type: 'Undo', id: `${announce.id}/undo`, actor: remote.actorUri('bob'), object: announce })).status).toBe(202);
  const deleted = await callback('fediverse.repost.deleted');
  expect(deleted.data).toMatchObject({ postId: 'p-1', activityId: announce.id, actor: { uri: remote.actorUri('bob') } });
});

test('an Announce by an actor local accounts follow brings the fetched post to them; its Undo takes it back', async () => {
  await gw.g.following.request('acc-zoe', { target: remote.actorUri('bob'), followId: 'f-1', activityId: `${gw.url}/follows/f-1`, inbox: `${remote.origin}/users/bob/inbox`, since: at(0) });
  await gw.g.following.accept('acc-zoe', remote.actorUri('bob'));
  const noteId = `${other.origin}/users/carol/statuses/1`;
  other.documents.set('/users/carol/statuses/1', {
    '@context': AS, id: noteId, type: 'Note', attributedTo: other.actorUri('carol'), content: '<p>carol says <script>x</script>hi</p>',
    published: '2026-11-01T09:00:00Z', to: [PUBLIC], cc: [`${other.origin}/users/carol/followers`],
  });
  // The embedded copy is not what gets through: the note is fetched from its server.
  const announce = { id: `${remote.origin}/users/bob/statuses/6/activity`, type: 'Announce', actor: remote.actorUri('bob'), to: [PUBLIC], object: { id: noteId, type: 'Note', attributedTo: other.actorUri('carol'), content: 'forged' } };
  expect((await post(announce)).status).toBe(202);
  const created = await callback('fediverse.post.created', (d) => d.repost?.activityId === announce.id);
  expect(created.data).toMatchObject({
    post: { uri: noteId, author: { uri: other.actorUri('carol') }, contentHtml: '<p>carol says hi</p>', publishedAt: '2026-11-01T09:00:00Z' },
    accountIds: ['acc-zoe'],
    repost: { activityId: announce.id, actor: { uri: remote.actorUri('bob') } },
  });
  expect((await post({ type: 'Undo', id: `${announce.id}/undo`, actor: remote.actorUri('bob'), object: announce.id })).status).toBe(202);
  const deleted = await callback('fediverse.post.deleted', (d) => d.repost?.activityId === announce.id);
  expect(deleted.data).toMatchObject({ post: { uri: noteId }, accountIds: ['acc-zoe'] });

  const unfollowed = { id: `${remote.origin}/users/nina/statuses/1/activity`, type: 'Announce', actor: remote.actorUri('nina'), to: [PUBLIC], object: noteId };
  expect((await post(unfollowed, 'nina')).status).toBe(202);
  expect(await inboxOutcome(unfollowed)).toEqual({ outcome: 'ignored', reason: 'not_followed' });
});

test('a Block of a local account becomes block.received and ends the relationship both ways', async () => {
  const follow = { id: `${remote.origin}/follows/oscar`, type: 'Follow', actor: remote.actorUri('oscar'), object: `${gw.url}/users/alice` };
  expect((await post(follow, 'oscar')).status).toBe(202);
  await eventually(() => gw.g.followers.get('acc-alice', remote.actorUri('oscar')), 'oscar following alice');
  await gw.g.following.request('acc-alice', { target: remote.actorUri('oscar'), followId: 'f-2', activityId: `${gw.url}/follows/f-2`, inbox: `${remote.origin}/users/oscar/inbox`, since: at(0) });
  await gw.g.following.accept('acc-alice', remote.actorUri('oscar'));

  const block = { id: `${remote.origin}/users/oscar#blocks/1`, type: 'Block', actor: remote.actorUri('oscar'), object: `${gw.url}/users/alice` };
  expect((await post(block, 'oscar')).status).toBe(202);
  const received = await callback('fediverse.block.received');
  expect(received.data).toMatchObject({ accountId: 'acc-alice', actor: { uri: remote.actorUri('oscar') } });
  expect(await gw.g.followers.get('acc-alice', remote.actorUri('oscar'))).toBeUndefined();
  expect(await gw.g.following.get('acc-alice', remote.actorUri('oscar'))).toBeUndefined();
  // Lifting it restores nothing and says so.
  const undo = { id: `${block.id}/undo`, type: 'Undo', actor: remote.actorUri('oscar'), object: block };
  expect((await post(undo, 'oscar')).status).toBe(202);
  expect(await inboxOutcome(undo)).toEqual({ outcome: 'ignored', reason: 'nothing_to_restore' });
});

test('a Flag naming a local account and post becomes report.received', async () => {
  const flag = { id: `${remote.origin}/reports/1`, type: 'Flag', actor: remote.actorUri('admin'), content: 'spam', object: [`${gw.url}/users/alice`, `${gw.url}/posts/p-1`, `${remote.origin}/users/x`] };
  expect((await post(flag, 'admin')).status).toBe(202);
  const report = await callback('fediverse.report.received');
  expect(report.data.report).toMatchObject({ activityId: flag.id, actor: { uri: remote.actorUri('admin') }, targets: [{ accountId: 'acc-alice' }, { postId: 'p-1' }], comment: 'spam' });
});

test('a Move is told only when the new account names the old one in alsoKnownAs', async () => {
  const newUri = customActor(other, 'bob2', { alsoKnownAs: [remote.actorUri('bob')] });
  const move = { id: `${remote.origin}/users/bob/moves/1`, type: 'Move', actor: remote.actorUri('bob'), object: remote.actorUri('bob'), target: newUri };
  expect((await post(move)).status).toBe(202);
  const moved = await callback('fediverse.actor.moved');
  expect(moved.data).toMatchObject({ actor: { uri: remote.actorUri('bob'), movedTo: { uri: newUri } }, accountIds: ['acc-zoe'] });

  const liar = customActor(other, 'bob3', {});
  const unconfirmed = { id: `${remote.origin}/users/bob/moves/2`, type: 'Move', actor: remote.actorUri('bob'), object: remote.actorUri('bob'), target: liar };
  expect((await post(unconfirmed)).status).toBe(202);
  expect(await inboxOutcome(unconfirmed)).toEqual({ outcome: 'ignored', reason: 'move_not_confirmed' });
});

test('Update(Person) refreshes the cached actor and becomes actor.updated', async () => {
  const uri = customActor(remote, 'pat', { name: 'Old Name', endpoints: { sharedInbox: `${remote.origin}/inbox` } });
  expect((await post({ id: `${remote.origin}/follows/pat`, type: 'Follow', actor: uri, object: `${gw.url}/users/alice` }, 'pat')).status).toBe(202);
  await eventually(() => gw.g.followers.get('acc-alice', uri), 'pat following alice');
  // Pat's server moves its shared inbox.
  customActor(remote, 'pat', { name: 'New Name', endpoints: { sharedInbox: `${remote.origin}/shared-inbox` } });
  const update = { id: `${uri}#updates/1`, type: 'Update', actor: uri, object: { id: uri, type: 'Person', name: 'New Name', inbox: `${uri}/inbox` } };
  expect((await post(update, 'pat')).status).toBe(202);
  expect((await callback('fediverse.actor.updated')).data.actor).toMatchObject({ uri, name: 'New Name' });
  const cached = await gw.g.actors.actor(uri);
  expect(cached.ok && cached.actor.name).toBe('New Name');
  expect(await gw.g.followers.get('acc-alice', uri)).toMatchObject({ inbox: `${uri}/inbox`, sharedInbox: `${remote.origin}/shared-inbox`, followId: `${remote.origin}/follows/pat` });
});

test('Delete of an actor by itself drops it as follower of every account and tells the platform', async () => {
  for (const username of ['alice', 'zoe']) {
    expect((await post({ id: `${remote.origin}/follows/quinn-${username}`, type: 'Follow', actor: remote.actorUri('quinn'), object: `${gw.url}/users/${username}` }, 'quinn')).status).toBe(202);
  }
  await eventually(async () => (await gw.g.followers.accountsFollowedBy(remote.actorUri('quinn'))).length === 2, 'quinn following both');
  const del = { id: `${remote.actorUri('quinn')}#delete`, type: 'Delete', actor: remote.actorUri('quinn'), to: [PUBLIC], object: remote.actorUri('quinn') };
  expect((await post(del, 'quinn')).status).toBe(202);
  expect((await callback('fediverse.actor.deleted')).data.actor).toMatchObject({ uri: remote.actorUri('quinn'), name: 'QUINN' });
  // The callback is queued before the records go (a retry then still finds them): wait for them.
  await eventually(async () => (await gw.g.redis.exists(gw.g.keys.remoteActor(remote.actorUri('quinn')))) === 0, 'quinn dropped');
  expect(await gw.g.followers.get('acc-alice', remote.actorUri('quinn'))).toBeUndefined();
  expect(await gw.g.followers.get('acc-zoe', remote.actorUri('quinn'))).toBeUndefined();
});

test('a self-Delete whose key is gone is answered 202 and applied only once the actor answers 410', async () => {
  const rita = remote.actorUri('rita');
  expect((await post({ id: `${remote.origin}/follows/rita`, type: 'Follow', actor: rita, object: `${gw.url}/users/alice` }, 'rita')).status).toBe(202);
  await eventually(() => gw.g.followers.get('acc-alice', rita), 'rita following alice');
  // Her account is deleted: her server answers 410 and the gateway's cached key has expired.
  remote.goneActors.add('rita');
  await unlinkKeys(gw.g.redis, [gw.g.keys.remoteKey(`${rita}#main-key`), gw.g.keys.remoteActor(rita)]);
  const del = { id: `${rita}#delete`, type: 'Delete', actor: rita, object: rita };
  expect((await post(del, 'rita')).status).toBe(202);
  expect((await callback('fediverse.actor.deleted', (d) => d.actor.uri === rita)).data.actor).toMatchObject({ handle: `@rita@${new URL(remote.origin).host}` });
  expect(await gw.g.followers.get('acc-alice', rita)).toBeUndefined();

  // Someone else's unverifiable "Delete" of a live actor is not believed.
  const sam = remote.actorUri('sam');
  expect((await post({ id: `${remote.origin}/follows/sam`, type: 'Follow', actor: sam, object: `${gw.url}/users/alice` }, 'sam')).status).toBe(202);
  await eventually(() => gw.g.followers.get('acc-alice', sam), 'sam following alice');
  const forgedKey = createPrivateKey(remote.keyPem.privateKeyPem);
  const forged = { '@context': AS, id: `${sam}#delete`, type: 'Delete', actor: sam, object: sam };
  expect((await remote.post(`${gw.url}/inbox`, forged, { keyId: `${sam}#no-such-key`, privateKey: forgedKey })).status).toBe(202);
  expect(await unverifiedOutcome(forged.id)).toEqual({ outcome: 'ignored', reason: 'actor_not_gone' });
  expect(await gw.g.followers.get('acc-alice', sam)).toBeDefined();
  // Nor does it pre-empt the real one: once sam is gone, the same Delete is applied.
  remote.goneActors.add('sam');
  await unlinkKeys(gw.g.redis, [gw.g.keys.remoteKey(`${sam}#main-key`), gw.g.keys.remoteActor(sam)]);
  expect((await remote.post(`${gw.url}/inbox`, forged, { as: 'sam' })).status).toBe(202);
  await callback('fediverse.actor.deleted', (d) => d.actor.uri === sam);
  expect(await gw.g.followers.get('acc-alice', sam)).toBeUndefined();
  // Anything else with an unknown key is still refused at the door.
  const like = { '@context': AS, id: `${remote.origin}/likes/sam`, type: 'Like', actor: sam, object: `${gw.url}/posts/p-1` };
  expect((await remote.post(`${gw.url}/inbox`, like, { keyId: `${sam}#no-such-key` })).status).toBe(401);
});

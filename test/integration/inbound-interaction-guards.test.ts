// What a remote Like, Announce or Follow may reach: only posts of accounts still opted in, only
// shareable posts as reposts, and nothing an earlier-processed Undo (by the same actor) undid.
import type { JsonObject } from '../../services/activitypub/as-read';
import { handleInbound } from '../../services/federation/handle-inbound';
import { enabledPostOwner } from '../../services/federation/live-post-owner';
import { enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;

const createPost = async (postId: string, accountId: string, extra: Record<string, unknown> = {}) => {
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData(postId, accountId, extra) } });
  await eventually(async () => (await gw.g.posts.get(postId))?.federated, `${postId} federated`);
};

beforeAll(async () => {
  remote = await startRemoteServer();
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-carol', 'carol');
  await enableAccount(gw, 'acc-quit', 'quit');
  await createPost('p-c', 'acc-carol');
  await createPost('p-q', 'acc-quit');
  await createPost('p-priv', 'acc-carol', { visibility: 'followers' });
  await createPost('p-unl', 'acc-carol', { visibility: 'unlisted' });
  await sendEvents(gw.url, { id: eventId('off'), type: 'account.disabled', occurredAt: at(3), data: { accountId: 'acc-quit' } });
  await eventually(async () => (await gw.g.accounts.get('acc-quit'))?.state === 'disabled', 'quit disabled');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

const job = (activity: JsonObject, author = 'dave') => ({ activity, activityId: String(activity.id), signer: remote.actorUri(author), receivedAt: new Date().toISOString() });
const like = (postId: string, n: string, author = 'dave'): JsonObject => ({ '@context': AS, id: `${remote.origin}/users/${author}#likes/${n}`, type: 'Like', actor: remote.actorUri(author), object: `${gw.url}/posts/${postId}` });
const announce = (postId: string, n: string, author = 'dave'): JsonObject => ({ '@context': AS, id: `${remote.origin}/users/${author}#announces/${n}`, type: 'Announce', actor: remote.actorUri(author), object: `${gw.url}/posts/${postId}`, to: [PUBLIC] });
const undo = (activity: JsonObject, author = 'dave'): JsonObject => ({ '@context': AS, id: `${String(activity.id)}/undo`, type: 'Undo', actor: remote.actorUri(author), object: activity });

describe("an opted-out account's posts", () => {
  test('get no likes or reposts passed on', async () => {
    expect(await handleInbound(gw.g, job(like('p-q', 'q1')))).toEqual({ outcome: 'ignored', reason: 'unknown_local_post' });
    expect(await handleInbound(gw.g, job(announce('p-q', 'q1')))).toEqual({ outcome: 'ignored', reason: 'unknown_local_post' });
  });

  test('have no owner to pass replies and quotes to (enabledPostOwner), unlike an enabled account\'s', async () => {
    expect(await enabledPostOwner(gw.g, 'p-q')).toBeUndefined();
    expect(await enabledPostOwner(gw.g, 'p-c')).toBe('acc-carol');
    expect(await enabledPostOwner(gw.g, 'no-such-post')).toBeUndefined();
  });

  test('control: the same like and repost of an enabled account\'s post are passed on', async () => {
    expect(await handleInbound(gw.g, job(like('p-c', 'c1')))).toEqual({ outcome: 'applied', kind: 'like' });
    expect(await handleInbound(gw.g, job(announce('p-c', 'c1')))).toEqual({ outcome: 'applied', kind: 'repost' });
  });
});

describe('a remote Announce of a local post', () => {
  test('is no repost when the post is followers-only', async () => {
    expect(await handleInbound(gw.g, job(announce('p-priv', 'priv')))).toEqual({ outcome: 'ignored', reason: 'not_public' });
    expect(await gw.g.redis.exists(gw.g.keys.remoteAnnounce(`${remote.origin}/users/dave#announces/priv`))).toBe(0);
  });

  test('is a repost when the post is unlisted', async () => {
    expect(await handleInbound(gw.g, job(announce('p-unl', 'unl')))).toEqual({ outcome: 'applied', kind: 'repost' });
  });
});

describe('an Undo processed before what it undoes (concurrent inbox jobs)', () => {
  test('leaves no like behind', async () => {
    const l = like('p-c', 'race');
    expect(await handleInbound(gw.g, job(undo(l)))).toEqual({ outcome: 'ignored', reason: 'unknown_undo_target' });
    expect(await handleInbound(gw.g, job(l))).toEqual({ outcome: 'ignored', reason: 'like_already_undone' });
    expect(await gw.g.redis.exists(gw.g.keys.remoteLike(String(l.id)))).toBe(0);
  });

  test('leaves no repost behind, whether it embeds the Announce or names only its id', async () => {
    const embedded = announce('p-c', 'race-1');
    expect(await handleInbound(gw.g, job(undo(embedded)))).toEqual({ outcome: 'ignored', reason: 'unknown_undo_target' });
    expect(await handleInbound(gw.g, job(embedded))).toEqual({ outcome: 'ignored', reason: 'announce_already_undone' });
    const byRef = announce('p-c', 'race-2');
    expect(await handleInbound(gw.g, job({ ...undo(byRef), object: String(byRef.id) }))).toMatchObject({ outcome: 'ignored' });
    expect(await handleInbound(gw.g, job(byRef))).toEqual({ outcome: 'ignored', reason: 'announce_already_undone' });
  });

  test('leaves no follower behind when it names only the Follow\'s id', async () => {
    const follow: JsonObject = { '@context': AS, id: `${remote.origin}/follows/dave-carol-ref`, type: 'Follow', actor: remote.actorUri('dave'), object: `${gw.url}/users/carol` };
    await handleInbound(gw.g, job({ ...undo(follow), object: String(follow.id) }));
    expect(await handleInbound(gw.g, job(follow))).toEqual({ outcome: 'ignored', reason: 'follow_already_undone' });
  });

  test("but another actor's Undo naming the same id cancels nothing", async () => {
    // Eve's own Undo (its id on her server) embeds Like, Announce and Follow objects that claim
    // her as actor but carry the ids dave will use.
    const likeId = `${remote.origin}/users/dave#likes/pre`;
    const announceId = `${remote.origin}/users/dave#announces/pre`;
    const followId = `${remote.origin}/follows/dave-carol-pre`;
    const eve = remote.actorUri('eve');
    await handleInbound(gw.g, job(undo({ ...like('p-c', 'x', 'eve'), id: likeId }, 'eve'), 'eve'));
    await handleInbound(gw.g, job(undo({ ...announce('p-c', 'x', 'eve'), id: announceId }, 'eve'), 'eve'));
    await handleInbound(gw.g, job(undo({ id: followId, type: 'Follow', actor: eve, object: `${gw.url}/users/carol` }, 'eve'), 'eve'));
    expect(await handleInbound(gw.g, job({ ...like('p-c', 'pre') }))).toEqual({ outcome: 'applied', kind: 'like' });
    expect(await handleInbound(gw.g, job({ ...announce('p-c', 'pre') }))).toEqual({ outcome: 'applied', kind: 'repost' });
    const follow: JsonObject = { '@context': AS, id: followId, type: 'Follow', actor: remote.actorUri('dave'), object: `${gw.url}/users/carol` };
    expect(await handleInbound(gw.g, job(follow))).toEqual({ outcome: 'applied', kind: 'follow' });
  });
});

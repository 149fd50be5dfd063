// Callbacks about one object reach the platform in the order they were queued, even when the
// platform was down meanwhile and each callback retried on its own schedule: a note's created
// and updates, a follower's added and removed, a like's created and deleted. A callback refused
// for good, or a place whose job never got queued, holds nothing back.
import type { JsonObject } from '../../services/activitypub/as-read';
import { takeCallbackPlace } from '../../services/federation/callback-order';
import { type Rig, enableAccount, startRig } from '../support/fixtures-setup';
import { inboxProcessed } from '../support/inbox-jobs';
import type { PlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import type { RemoteServer } from '../support/remote-server';
import { type TestGateway, eventually } from '../support/test-gateway';

jest.setTimeout(90_000);

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
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-1', 'acc-alice') } });
  await eventually(async () => (await gw.g.posts.get('p-1'))?.federated, 'p-1 federated');
  // Alice follows bob, so bob's notes come to her as fediverse.post.*.
  await gw.g.following.request('acc-alice', { target: remote.actorUri('bob'), followId: 'f-bob', activityId: `${gw.url}/activities/e/follow`, inbox: `${remote.origin}/users/bob/inbox`, since: at(0) });
  await gw.g.following.accept('acc-alice', remote.actorUri('bob'));
});

afterAll(() => rig.close());

const platformDown = () => sink.failures.splice(0, sink.failures.length, ...Array<number>(100_000).fill(503));
const platformUp = () => sink.failures.splice(0, sink.failures.length);
const attemptsOf = (prefix: string) => sink.attempts.filter((id) => id.startsWith(prefix)).length;

async function deliver(activity: JsonObject, as: string) {
  expect((await remote.post(`${gw.url}/inbox`, { '@context': AS, ...activity }, { as })).status).toBe(202);
  await eventually(() => inboxProcessed(gw.g, { id: String(activity.id), actor: remote.actorUri(as) }), `${String(activity.id)} processed`);
}

test('after an outage, callbacks about one object arrive in the order they were queued', async () => {
  const note = { id: `${remote.origin}/users/bob/statuses/1`, type: 'Note', attributedTo: remote.actorUri('bob'), content: '<p>v1</p>', published: '2026-11-02T09:00:00Z', to: [PUBLIC] };
  const follow = { id: `${remote.actorUri('carol')}#follows/1`, type: 'Follow', actor: remote.actorUri('carol'), object: `${gw.url}/users/alice` };
  const like = { id: `${remote.actorUri('dave')}#likes/1`, type: 'Like', actor: remote.actorUri('dave'), object: `${gw.url}/posts/p-1` };
  platformDown();
  await deliver({ id: `${note.id}#create`, type: 'Create', actor: remote.actorUri('bob'), to: [PUBLIC], object: note }, 'bob');
  await deliver(follow, 'carol');
  await deliver(like, 'dave');
  // The first callbacks have failed a few times, so their next try is seconds away.
  await eventually(() => ['fediverse.post.created:', 'fediverse.follower.added:', 'fediverse.like.created:'].every((p) => attemptsOf(p) >= 4), 'four failed attempts of each first callback', 30_000);
  for (const version of [2, 3]) {
    const edited = { ...note, content: `<p>v${version}</p>`, updated: `2026-11-02T09:0${version}:00Z` };
    await deliver({ id: `${note.id}#update-${version}`, type: 'Update', actor: remote.actorUri('bob'), to: [PUBLIC], object: edited }, 'bob');
  }
  await deliver({ id: `${follow.id}/undo`, type: 'Undo', actor: remote.actorUri('carol'), object: follow }, 'carol');
  await deliver({ id: `${like.id}/undo`, type: 'Undo', actor: remote.actorUri('dave'), object: like }, 'dave');
  platformUp();

  await eventually(() => sink.callbacks.length >= 7, 'all seven callbacks', 60_000);
  const sequence = (match: (data: Record<string, any>) => boolean) => sink.callbacks.filter((c) => match(c.data)).map((c) => `${c.type.split('.').pop()}${c.data.post?.text ? ` ${c.data.post.text}` : ''}`);
  expect(sequence((d) => d.post?.uri === note.id)).toEqual(['created v1', 'updated v2', 'updated v3']);
  expect(sequence((d) => d.follower?.uri === remote.actorUri('carol'))).toEqual(['added', 'removed']);
  expect(sequence((d) => d.activityId === like.id)).toEqual(['created', 'deleted']);
  // The ones queued behind never posted while the platform was down: they waited their turn.
  expect(attemptsOf('fediverse.post.updated:')).toBe(2);
  expect(attemptsOf('fediverse.follower.removed:')).toBe(1);
});

test('a callback the platform refuses for good (4xx) does not hold back the next one', async () => {
  const like = { id: `${remote.actorUri('erin')}#likes/2`, type: 'Like', actor: remote.actorUri('erin'), object: `${gw.url}/posts/p-1` };
  platformDown();
  await deliver(like, 'erin');
  await eventually(() => attemptsOf(`fediverse.like.created:${like.id}`) >= 1, 'the like.created attempted');
  await deliver({ id: `${like.id}/undo`, type: 'Undo', actor: remote.actorUri('erin'), object: like }, 'erin');
  // Its next attempt is refused with 400: final.
  sink.failures.splice(0, sink.failures.length, 400);
  const deleted = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.deleted' && c.data.activityId === like.id), 'the like.deleted', 30_000);
  expect(deleted).toBeDefined();
  expect(sink.callbacks.find((c) => c.type === 'fediverse.like.created' && c.data.activityId === like.id)).toBeUndefined();
});

test('a place whose callback was never queued (a crash in between) is skipped by the next', async () => {
  const like = { id: `${remote.actorUri('fred')}#likes/3`, type: 'Like', actor: remote.actorUri('fred'), object: `${gw.url}/posts/p-1` };
  // A place taken two minutes ago for a callback about the same like, whose job was never added.
  const ghost = { id: 'fediverse.like.created:ghost', type: 'fediverse.like.created', occurredAt: at(0), data: { activityId: like.id } };
  await takeCallbackPlace(gw.g, ghost, Date.now() - 120_000);
  await deliver(like, 'fred');
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.created' && c.data.activityId === like.id), 'the like.created');
});

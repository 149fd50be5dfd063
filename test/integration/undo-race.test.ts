// An Undo processed while its Like, Announce or Follow is still being processed (inbox jobs run
// concurrently) is not lost: exactly one side wins, so either both are applied (created, then
// deleted) or neither is, and no record is left standing. Adapted from review 2's probe.
import type { JsonObject } from '../../services/activitypub/as-read';
import { type InboundOutcome, handleInbound } from '../../services/federation/handle-inbound';
import { FollowBeingStoredError } from '../../services/federation/undone-marker';
import { enableAccount } from '../support/fixtures-setup';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = `${AS}#Public`;
const PAIRS = 30;
let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
const job = (activity: JsonObject, signer: string) => ({ activity, activityId: String(activity.id), signer, receivedAt: new Date().toISOString() });

beforeAll(async () => {
  remote = await startRemoteServer();
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await enableAccount(gw, 'acc-carol', 'carol');
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-c', 'acc-carol') } });
  await eventually(async () => (await gw.g.posts.get('p-c'))?.federated, 'p-c federated');
});
afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

type Make = (actor: string, i: number) => { activity: JsonObject; undoObject: (a: JsonObject) => JsonObject | string; standing: () => Promise<boolean> };
const keyExists = (key: string) => async () => (await gw.g.redis.exists(key)) === 1;

/** Races PAIRS activity/Undo pairs (the Undo a moment later, as with concurrent jobs); returns what went wrong. */
async function race(label: string, make: Make, appliedKinds: [string, string], deletedType: string): Promise<string[]> {
  const wrong: string[] = [];
  const undoneActors: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // A new actor each time: the activity fetches its document before storing itself, which
    // leaves the window for the Undo.
    const actor = remote.actorUri(`${label}-racer-${i}`);
    const { activity, undoObject, standing } = make(actor, i);
    const undo = { '@context': AS, id: `${String(activity.id)}/undo`, type: 'Undo', actor, object: undoObject(activity) };
    const [a, u] = await Promise.all([
      handleInbound(gw.g, job(activity, actor)),
      new Promise((r) => setTimeout(r, i % 15)).then((): Promise<InboundOutcome> => handleInbound(gw.g, job(undo, actor))),
    ]);
    const bothApplied = a.outcome === 'applied' && a.kind === appliedKinds[0] && u.outcome === 'applied' && u.kind === appliedKinds[1];
    const neither = a.outcome === 'ignored' && u.outcome === 'ignored';
    if (!bothApplied && !neither) wrong.push(`${String(activity.id)}: ${JSON.stringify(a)} / ${JSON.stringify(u)}`);
    if (await standing()) wrong.push(`${String(activity.id)}: record left standing`);
    if (bothApplied) undoneActors.push(actor);
  }
  // The platform hears of every Undo that was applied.
  await eventually(async () => undoneActors.every((uri) => sink.callbacks.some((c) => c.type === deletedType && (c.data.actor ?? c.data.follower)?.uri === uri)), `${label} deletions called back`);
  return wrong;
}

test('an Undo(Like) by id racing its Like: exactly one wins, no like is left standing', async () => {
  const make: Make = (actor, i) => {
    const id = `${remote.origin}/likes/race-${i}`;
    return { activity: { '@context': AS, id, type: 'Like', actor, object: `${gw.url}/posts/p-c` }, undoObject: (a) => String(a.id), standing: keyExists(gw.g.keys.remoteLike(id)) };
  };
  expect(await race('like', make, ['like', 'undo-like'], 'fediverse.like.deleted')).toEqual([]);
});

test('an Undo(Announce) racing its repost of a local post: exactly one wins, no repost is left standing', async () => {
  const make: Make = (actor, i) => {
    const id = `${remote.origin}/announces/race-${i}`;
    // Half embed the Announce, half name it by id (the undo-ref path).
    return { activity: { '@context': AS, id, type: 'Announce', actor, object: `${gw.url}/posts/p-c`, to: [PUBLIC] }, undoObject: (a) => (i % 2 ? String(a.id) : a), standing: keyExists(gw.g.keys.remoteAnnounce(id)) };
  };
  expect(await race('repost', make, ['repost', 'undo-announce'], 'fediverse.repost.deleted')).toEqual([]);
});

test('an Undo(Follow) racing its Follow: exactly one wins, no follower is left standing', async () => {
  const make: Make = (actor, i) => ({
    activity: { '@context': AS, id: `${remote.origin}/follows/race-${i}`, type: 'Follow', actor, object: `${gw.url}/users/carol` },
    // Half embed the Follow, half name it by id (the undo-ref path).
    undoObject: (a) => (i % 2 ? String(a.id) : a),
    standing: async () => (await gw.g.followers.get('acc-carol', actor)) !== undefined,
  });
  expect(await race('follow', make, ['follow', 'undo-follow'], 'fediverse.follower.removed')).toEqual([]);
});

test('a Follow whose worker died after its claim: the Undo waits and is retried, the Follow\'s retry stores it, the Undo\'s then undoes it', async () => {
  const actor = remote.actorUri('died-mid-store');
  const follow = { '@context': AS, id: `${remote.origin}/follows/died`, type: 'Follow', actor, object: `${gw.url}/users/carol` };
  const undo = { '@context': AS, id: `${follow.id}/undo`, type: 'Undo', actor, object: follow.id };
  // What the Follow's claim (services/store/followers.ts CLAIM) leaves when its process dies right after.
  await gw.g.redis.hset(gw.g.keys.undoneInteraction(follow.id), `storing:${actor}`, '1');
  await expect(handleInbound(gw.g, job(undo, actor))).rejects.toBeInstanceOf(FollowBeingStoredError);
  // The Follow's retry completes it although the Undo has marked it meanwhile...
  expect(await handleInbound(gw.g, job(follow, actor))).toEqual({ outcome: 'applied', kind: 'follow' });
  expect(await gw.g.followers.get('acc-carol', actor)).toMatchObject({ followId: follow.id });
  // ...and the Undo's retry finds it and undoes it.
  expect(await handleInbound(gw.g, job(undo, actor))).toEqual({ outcome: 'applied', kind: 'undo-follow' });
  expect(await gw.g.followers.get('acc-carol', actor)).toBeUndefined();
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.removed' && c.data.follower?.uri === actor), 'follower.removed');
});

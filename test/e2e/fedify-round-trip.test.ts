// End to end against an independent ActivityPub implementation (Fedify, in its own process):
// it follows a gateway account by handle through WebFinger over https, verifies our signatures
// on the Accept and the Create, then replies and likes; the platform sink gets the callbacks.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { type FedifyPeer, startFedifyPeer } from './support/fedify-peer';
import { type TestCa, makeTestCa } from './support/tls';

jest.setTimeout(30000);

let ca: TestCa;
let sink: PlatformSink;
let gw: TestGateway;
let peer: FedifyPeer;
let trusting: Agent;
const send = (body: unknown) => sendEvents(gw.url, body, { dispatcher: trusting });

beforeAll(async () => {
  ca = await makeTestCa();
  trusting = new Agent({ connect: { ca: readFileSync(ca.caCertPath, 'utf8') } });
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, tls: ca, host: 'localhost', env: { PLATFORM_CALLBACK_URL: sink.url } });
  peer = await startFedifyPeer({ extraCaCerts: ca.caCertPath });
  await send({ id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('acc-carol', 'carol') } });
  await eventually(async () => (await gw.g.accounts.get('acc-carol'))?.state === 'enabled', 'carol enabled');
});

afterAll(async () => {
  await peer?.stop();
  await gw?.close();
  await sink?.close();
  await ca?.cleanup();
  await trusting?.close();
});

test('Fedify follows by handle, verifies our Accept and Create, and its reply and like reach the platform', async () => {
  const handle = `@carol@${new URL(gw.url).host}`;
  const carol = `${gw.url}/users/carol`;

  const follow = await peer.follow(handle);
  expect(follow.target).toBe(carol);
  const accept = await peer.waitFor((a) => a.type === 'Accept' && a.actor === carol, 10000);
  expect(accept.httpSignature?.spec).toBe('draft-cavage');
  const added = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.added'), 'follower.added');
  expect(added.data).toMatchObject({ accountId: 'acc-carol', follower: { uri: peer.actorUri, name: 'Fedify Peer' } });

  await send({ id: eventId('post'), type: 'post.created', occurredAt: at(10), data: { post: postData('p-e2e', 'acc-carol', { text: 'Hello Fedify #e2e' }) } });
  const noteId = `${gw.url}/posts/p-e2e`;
  const create = await peer.waitFor((a) => a.type === 'Create' && a.objectId === noteId, 10000);
  expect(create.actor).toBe(carol);
  expect(create.objectType).toBe('Note');

  const reply = await peer.reply({ inReplyTo: noteId, to: carol, content: '<p>Hi from Fedify</p>' });
  const replied = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.reply.created'), 'reply.created', 15000);
  expect(replied.data.post).toMatchObject({ uri: reply.noteId, inReplyTo: { postId: 'p-e2e' }, text: 'Hi from Fedify', author: { uri: peer.actorUri } });

  const like = await peer.like({ object: noteId, to: carol });
  const liked = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.created'), 'like.created', 15000);
  expect(liked.data).toMatchObject({ postId: 'p-e2e', activityId: like.activityId, actor: { uri: peer.actorUri } });
  expect(sink.badSignatures).toBe(0);
  expect(await peer.unverified()).toEqual([]);
});

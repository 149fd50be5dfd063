// RFC 9421 from an independent signer: the Fedify peer knocks RFC 9421 first (PEER_FIRST_KNOCK)
// and falls back to draft-cavage only on a refusal. The gateway refusing nothing while the
// Follow and the Like arrive means Fedify's RFC 9421 signatures were taken on the first knock.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
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
const inboxCounts = async () => {
  const text = await (await request(`${gw.url}/metrics`, { dispatcher: trusting })).body.text();
  return text.split('\n').filter((l) => l.startsWith('fedigate_inbox_requests_total{'));
};

beforeAll(async () => {
  ca = await makeTestCa();
  trusting = new Agent({ connect: { ca: readFileSync(ca.caCertPath, 'utf8') } });
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  gw = await startTestGateway({ workers: true, tls: ca, host: 'localhost', extraCaPem: ca.caCertPem, env: { PLATFORM_CALLBACK_URL: sink.url } });
  peer = await startFedifyPeer({ extraCaCerts: ca.caCertPath, env: { PEER_FIRST_KNOCK: 'rfc9421' } });
  await send({ id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('acc-ivy', 'ivy') } });
  await send({ id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-ivy', 'acc-ivy') } });
  await eventually(async () => (await gw.g.posts.get('p-ivy'))?.federated, 'the post federated');
});

afterAll(async () => {
  await peer?.stop();
  await gw?.close();
  await sink?.close();
  await ca?.cleanup();
  await trusting?.close();
});

test("Fedify's RFC 9421-signed Follow and Like are taken on the first knock", async () => {
  expect((await peer.info()).firstKnock).toBe('rfc9421');
  const ivy = `${gw.url}/users/ivy`;
  await peer.follow(`@ivy@${new URL(gw.url).host}`);
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.added'), 'follower.added', 15000);
  const like = await peer.like({ object: `${gw.url}/posts/p-ivy`, to: ivy });
  await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.like.created' && c.data.activityId === like.activityId), 'like.created', 15000);
  const counts = await inboxCounts();
  expect(counts.filter((l) => l.includes('result="refused"'))).toEqual([]);
  expect(counts.find((l) => l.includes('result="accepted"'))).toMatch(/ [2-9]\d*$/);
});

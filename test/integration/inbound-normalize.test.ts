// The inbox worker reads each activity in the standard compact form (services/activitypub/jsonld):
// a Follow that names its object through an alias term is applied, and a document with a
// prototype key is set aside with the normaliser's reason, over real HTTP, queues and Redis.
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  expect((await sendEvents(gw.url, { id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('acc-alice', 'alice') } })).status).toBe(202);
  await eventually(async () => (await gw.g.accounts.get('acc-alice'))?.state === 'enabled', 'alice enabled');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

const ignoredWith = async (reason: string) => {
  const metric = await gw.g.metrics.inboxProcessed.get();
  return metric.values.find((v) => v.labels.outcome === 'ignored' && v.labels.reason === reason)?.value ?? 0;
};

test('a Follow whose object is spelt through an alias term is applied as a Follow', async () => {
  const follow = { '@context': [AS, { target: { '@id': 'as:object', '@type': '@id' } }], id: `${remote.origin}/follows/alias`, type: 'Follow', actor: remote.actorUri('bob'), target: `${gw.url}/users/alice` };
  expect((await remote.post(`${gw.url}/users/alice/inbox`, follow)).status).toBe(202);
  const added = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follower.added'), 'follower.added callback');
  expect(added.data).toMatchObject({ accountId: 'acc-alice', follower: { uri: remote.actorUri('bob') } });
  const accept = await eventually(() => remote.received.find((r) => r.json.type === 'Accept'), 'the Accept');
  expect(accept.json).toMatchObject({ object: { id: follow.id, type: 'Follow' } });
});

test('an activity with a __proto__ key is not applied, with the reason forbidden_key', async () => {
  const like = JSON.parse(`{"@context":"${AS}","id":"${remote.origin}/likes/proto","type":"Like","actor":"${remote.actorUri('bob')}","object":{"__proto__":{"polluted":true},"id":"${gw.url}/posts/p1"}}`) as object;
  expect((await remote.post(`${gw.url}/inbox`, like)).status).toBe(202);
  await eventually(async () => (await ignoredWith('forbidden_key')) === 1, 'the Like ignored as forbidden_key');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

// AUTHORIZED_FETCH=true: actors, collections and objects need a signed GET (draft-cavage or
// RFC 9421, any actor whose key resolves); discovery and the instance actor stay open, so two
// gateways in this mode can still read each other.
import { createPrivateKey } from 'node:crypto';
import { signCavageRequest } from '../../services/signatures/cavage-sign';
import { AP_ACCEPT } from '../../services/remote/signed-fetch';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { peerSign } from '../support/rfc9421-peer';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { TEST_SECRETS, testConfig } from '../support/test-config';
import { loadConfig } from '../../config/env';

let remote: RemoteServer;
let gw: TestGateway;
let peer: TestGateway;

const AUTH = { AUTHORIZED_FETCH: 'true' };
const paths = ['/users/gus', '/users/gus/followers', '/users/gus/outbox', '/posts/p-af'];

async function cavageGet(path: string, o: { keyId?: string; privateKeyPem?: string } = {}) {
  const url = `${gw.url}${path}`;
  const headers = signCavageRequest(
    { method: 'GET', url, headers: { accept: AP_ACCEPT } },
    { keyId: o.keyId ?? `${remote.origin}/users/bob#main-key`, privateKey: createPrivateKey(o.privateKeyPem ?? remote.keyPem.privateKeyPem) },
  );
  return fetch(url, { headers });
}

async function rfc9421Get(path: string) {
  const url = `${gw.url}${path}`;
  const { Host: _host, ...headers } = await peerSign('GET', url, undefined, `${remote.origin}/users/bob#main-key`, remote.keyPem.privateKeyPem);
  return fetch(url, { headers: { ...headers, accept: AP_ACCEPT } });
}

beforeAll(async () => {
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: AUTH });
  peer = await startTestGateway({ env: AUTH });
  await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-gus', 'gus') } });
  await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-af', 'a-gus') } });
  await eventually(async () => (await cavageGet('/posts/p-af')).status === 200, 'the post to be served');
});

afterAll(async () => {
  await gw.close();
  await peer.close();
  await remote.close();
});

test.each(paths)('unsigned GET %s → 401 problem+json naming the reason', async (path) => {
  const res = await fetch(`${gw.url}${path}`, { headers: { accept: AP_ACCEPT } });
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(await res.json()).toMatchObject({ status: 401, reason: 'missing_signature' });
});

test.each(paths)('draft-cavage-signed GET %s → 200, not for shared caches', async (path) => {
  const res = await cavageGet(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('private');
  expect(((await res.json()) as { id: string }).id).toBe(`${gw.url}${path}`);
});

test.each(paths)('RFC 9421-signed GET %s → 200', async (path) => {
  const res = await rfc9421Get(path);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { id: string }).id).toBe(`${gw.url}${path}`);
});

test("a signature by a key the actor does not publish → 401 bad_signature", async () => {
  const other = await startRemoteServer();
  try {
    const res = await cavageGet('/users/gus', { privateKeyPem: other.keyPem.privateKeyPem });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'bad_signature' });
  } finally {
    await other.close();
  }
});

test('WebFinger, host-meta, NodeInfo and the instance actor stay open', async () => {
  const host = new URL(gw.url).host;
  for (const path of [`/.well-known/webfinger?resource=acct:gus@${host}`, '/.well-known/host-meta', '/.well-known/nodeinfo', '/nodeinfo/2.1', '/actor']) {
    expect([path, (await fetch(`${gw.url}${path}`)).status]).toEqual([path, 200]);
  }
});

test('a browser asking for an actor still gets the redirect to the profile, but no collection', async () => {
  const actor = await fetch(`${gw.url}/users/gus`, { headers: { accept: 'text/html' }, redirect: 'manual' });
  expect(actor.status).toBe(303);
  const followers = await fetch(`${gw.url}/users/gus/followers`, { headers: { accept: 'text/html' } });
  expect(followers.status).toBe(401);
});

test('another gateway in the same mode reads the actor: its instance key is fetched from the open /actor', async () => {
  const res = await peer.g.fetchDocument(`${gw.url}/users/gus`);
  expect(res).toMatchObject({ ok: true, doc: { id: `${gw.url}/users/gus`, type: 'Person' } });
  // gw verified the peer's signature with the key from the peer's /actor, fetched unsigned-able.
  expect(await gw.g.redis.get(gw.g.keys.remoteKey(peer.g.uris.instanceKey))).toContain(peer.g.uris.instanceActor);
});

test('AUTHORIZED_FETCH is off unless set, and a bad value stops start-up naming it', () => {
  expect(testConfig().authorizedFetch).toBe(false);
  expect(testConfig(AUTH).authorizedFetch).toBe(true);
  expect(() => loadConfig({ ...TEST_SECRETS, PLATFORM_CALLBACK_URL: 'http://127.0.0.1:9/x', AUTHORIZED_FETCH: 'maybe' })).toThrow(/AUTHORIZED_FETCH/);
});

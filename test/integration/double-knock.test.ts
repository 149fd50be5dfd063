// Double-knocking against real loopback servers that each verify one scheme their own way: an
// RFC 9421-only server (http-message-signatures' stock verifier) and a draft-cavage-only one
// (joyent http-signature). Deliveries sign draft-cavage first, retry a 401 at once with RFC 9421,
// and remember per origin the scheme that worked, so later deliveries there use it first.
import { createPrivateKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverActivity } from '../../services/remote/deliver';
import { SIGNATURE_SCHEME_TTL_SECONDS } from '../../services/store/signature-schemes';
import { independentlyVerified } from '../support/independent-verify';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { type ReceivedRequest, type RemoteServer, startRemoteServer } from '../support/remote-server';
import { peerVerifies } from '../support/rfc9421-peer';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let sink: PlatformSink;
let only9421: RemoteServer;
let onlyCavage: RemoteServer;
let gw: TestGateway;
let fayPem: string;
let fayKeyId: string;

const schemeOf = (r: ReceivedRequest) => (r.headers['signature-input'] ? 'rfc9421' : 'cavage');
const accepts9421 = (server: RemoteServer) => async (r: ReceivedRequest) =>
  (await peerVerifies({ method: r.method, url: `${server.origin}${r.path}`, headers: r.headers, body: r.body }, fayKeyId, fayPem)) ? 202 : 401;
const acceptsCavage = (r: ReceivedRequest) => {
  if (r.headers['signature-input']) return 401;
  try {
    return independentlyVerified(r, fayPem).ok ? 202 : 401;
  } catch {
    return 401;
  }
};
/** What a server received, as [activity type, scheme, status it answered]. */
const log = (server: RemoteServer, statuses: number[]) => server.received.map((r, i) => [r.json.type, schemeOf(r), statuses[i]]);
const storedScheme = (server: RemoteServer) => gw.g.redis.get(gw.g.keys.signatureScheme(server.origin));

// The gates' answers, in order, so the logs can show what each attempt got.
const answers = new Map<RemoteServer, number[]>();
function gate(server: RemoteServer, decide: (r: ReceivedRequest) => number | Promise<number>) {
  answers.set(server, []);
  server.inboxGate = async (r) => {
    const status = await decide(r);
    answers.get(server)!.push(status);
    return status;
  };
}

async function follow(server: RemoteServer, n: number) {
  const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${server.origin}/follows/${n}`, type: 'Follow', actor: server.actorUri('bob'), object: `${gw.url}/users/fay` };
  expect((await server.post(`${gw.url}/users/fay/inbox`, activity)).status).toBe(202);
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  only9421 = await startRemoteServer();
  onlyCavage = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-fay', 'fay') } });
  const actor = await eventually(async () => {
    const r = await fetch(`${gw.url}/users/fay`, { headers: { accept: 'application/activity+json' } });
    return r.status === 200 ? ((await r.json()) as { publicKey: { id: string; publicKeyPem: string } }) : undefined;
  }, 'fay to be published');
  fayPem = actor.publicKey.publicKeyPem;
  fayKeyId = actor.publicKey.id;
  gate(only9421, accepts9421(only9421));
  gate(onlyCavage, acceptsCavage);
});

afterAll(async () => {
  await gw.close();
  await only9421.close();
  await onlyCavage.close();
  await sink.close();
});

test('the Accept to an RFC 9421-only server: draft-cavage gets a 401, RFC 9421 at once gets a 202, and the origin is remembered', async () => {
  await follow(only9421, 1);
  await eventually(() => answers.get(only9421)!.includes(202), 'the Accept to be taken');
  expect(log(only9421, answers.get(only9421)!)).toEqual([
    ['Accept', 'cavage', 401],
    ['Accept', 'rfc9421', 202],
  ]);
  // The worker writes the memory after the answer arrives: wait for it rather than race it.
  await eventually(async () => (await storedScheme(only9421)) === 'rfc9421', 'rfc9421 remembered');
  const ttl = await gw.g.redis.ttl(gw.g.keys.signatureScheme(only9421.origin));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(SIGNATURE_SCHEME_TTL_SECONDS);
});

test('the Accept to a draft-cavage-only server goes once, draft-cavage, and nothing is remembered', async () => {
  await follow(onlyCavage, 1);
  await eventually(() => answers.get(onlyCavage)!.includes(202), 'the Accept to be taken');
  expect(log(onlyCavage, answers.get(onlyCavage)!)).toEqual([['Accept', 'cavage', 202]]);
  expect(await storedScheme(onlyCavage)).toBeNull();
});

test('the next delivery to the RFC 9421-only server is signed RFC 9421 on the first try; the other still gets draft-cavage', async () => {
  await eventually(async () => (await gw.g.followers.count('a-fay')) === 2, 'both followers stored');
  await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-knock', 'a-fay') } });
  await eventually(() => answers.get(only9421)!.length === 3 && answers.get(onlyCavage)!.length === 2, 'the Creates to arrive');
  expect(log(only9421, answers.get(only9421)!).slice(2)).toEqual([['Create', 'rfc9421', 202]]);
  expect(only9421.received[2]!.path).toBe('/inbox');
  expect(log(onlyCavage, answers.get(onlyCavage)!).slice(1)).toEqual([['Create', 'cavage', 202]]);
  // The Accept's job has long finished by now: still nothing remembered for the cavage-only server.
  expect(await storedScheme(onlyCavage)).toBeNull();
});

test('a server that stops taking RFC 9421 gets draft-cavage at once after its 401, and that is remembered instead', async () => {
  gate(only9421, acceptsCavage);
  const before = only9421.received.length;
  await sendEvents(gw.url, { id: eventId('upd'), type: 'post.updated', occurredAt: at(2), data: { post: postData('p-knock', 'a-fay', { text: 'edited' }) } });
  await eventually(() => answers.get(only9421)!.includes(202), 'the Update to be taken');
  expect(only9421.received.slice(before).map((r, i) => [r.json.type, schemeOf(r), answers.get(only9421)![i]])).toEqual([
    ['Update', 'rfc9421', 401],
    ['Update', 'cavage', 202],
  ]);
  await eventually(async () => (await storedScheme(only9421)) === 'cavage', 'cavage remembered');
});

test('a server that refuses both knocks once each, no more, and the 401 is left to the retry schedule', async () => {
  const closed = await startRemoteServer();
  closed.inboxGate = () => 401;
  try {
    const key = { keyId: fayKeyId, privateKey: createPrivateKey((await gw.g.accounts.keys('a-fay'))!.privateKeyPem) };
    const result = await deliverActivity({ agent: gw.g.agent, allowPrivateAddresses: true, userAgent: 'test' }, `${closed.origin}/inbox`, '{"type":"Like"}', key);
    expect(result).toEqual({ verdict: { kind: 'retry', reason: 'http_401' }, status: 401, scheme: 'rfc9421', knocked: true });
    expect(closed.received.map(schemeOf)).toEqual(['cavage', 'rfc9421']);
  } finally {
    await closed.close();
  }
});

test('signed GETs double-knock too: an RFC 9421-only server is asked RFC 9421 first once it has taken it', async () => {
  const instance = await gw.g.accounts.instanceKeys();
  const seen: [string, number][] = [];
  const server = createServer((req, res) => {
    const r = { method: req.method ?? 'GET', url: `${origin}${req.url}`, headers: req.headers, body: '' };
    void peerVerifies(r, gw.g.uris.instanceKey, instance.publicKeyPem).then((ok) => {
      seen.push([req.headers['signature-input'] ? 'rfc9421' : 'cavage', ok ? 200 : 401]);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/activity+json' });
      res.end(ok ? JSON.stringify({ id: `${origin}${req.url}`, type: 'Note' }) : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    expect(await gw.g.fetchDocument(`${origin}/notes/1`)).toMatchObject({ ok: true, doc: { type: 'Note' } });
    expect(seen).toEqual([
      ['cavage', 401],
      ['rfc9421', 200],
    ]);
    expect(await gw.g.redis.get(gw.g.keys.signatureScheme(origin))).toBe('rfc9421');
    expect(await gw.g.fetchDocument(`${origin}/notes/2`)).toMatchObject({ ok: true });
    expect(seen.slice(2)).toEqual([['rfc9421', 200]]);
  } finally {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
});

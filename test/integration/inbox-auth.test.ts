// Inbox POSTs are authenticated before they are answered; every refusal says why.
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';
import { signCavageRequest } from '../../services/signatures/cavage-sign';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let noteId: string;

const like = (n: number) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/${n}`, type: 'Like', actor: remote.actorUri('bob'), object: noteId });
const reasonOf = async (res: Response) => ((await res.json()) as { reason: string }).reason;

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-in', 'dana') } });
  await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-in', 'a-in') } });
  noteId = `${gw.url}/posts/p-in`;
  await eventually(async () => (await fetch(noteId)).status === 200, 'the post to be served');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

test('an unsigned POST is refused with 401 missing_signature', async () => {
  const res = await fetch(`${gw.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(like(1)) });
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(await reasonOf(res)).toBe('missing_signature');
});

test('a body swapped after signing fails the digest', async () => {
  const res = await remote.post(`${gw.url}/inbox`, like(2), { body: JSON.stringify(like(3)) });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('digest_mismatch');
});

test('a signature by another key than the actor publishes is refused after one refetch', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const res = await remote.post(`${gw.url}/inbox`, like(4), { privateKey: other });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('bad_signature');
});

test("an activity signed with one actor's key on behalf of another actor is refused", async () => {
  // carol's key is valid, but the activity claims to be bob's.
  const res = await remote.post(`${gw.url}/inbox`, like(5), { keyId: `${remote.origin}/users/carol#main-key` });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('key_not_owned_by_actor');
});

test('a Date more than an hour old is refused', async () => {
  const res = await remote.post(`${gw.url}/inbox`, like(6), { date: new Date(Date.now() - 2 * 3600 * 1000) });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('date_out_of_window');
});

test('a key id pointing at a server that does not answer is refused, not crashed on', async () => {
  const res = await remote.post(`${gw.url}/inbox`, { ...like(7), actor: 'http://127.0.0.1:9/users/ghost' }, { keyId: 'http://127.0.0.1:9/users/ghost#main-key' });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('unknown_key');
});

test('malformed JSON is a 400 and a body over 1 MiB a 413', async () => {
  const bad = await fetch(`${gw.url}/inbox`, { method: 'POST', body: '{"type":' });
  expect(bad.status).toBe(400);
  const huge = await fetch(`${gw.url}/inbox`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
  expect(huge.status).toBe(413);
  expect(huge.headers.get('content-type')).toContain('application/problem+json');
});

test('a replayed activity is answered 202 but applied once', async () => {
  const activity = like(8);
  expect((await remote.post(`${gw.url}/inbox`, activity)).status).toBe(202);
  await eventually(() => sink.callbacks.find((c) => c.data.activityId === activity.id), 'the like callback');
  expect((await remote.post(`${gw.url}/users/dana/inbox`, activity)).status).toBe(202);
  // A later, different like proves the queue has moved past the replay.
  const later = like(9);
  await remote.post(`${gw.url}/inbox`, later);
  await eventually(() => sink.callbacks.find((c) => c.data.activityId === later.id), 'the later like callback');
  expect(sink.callbacks.filter((c) => c.data.activityId === activity.id)).toHaveLength(1);
});

test('the refusals are counted by reason in /metrics', async () => {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  expect(text).toMatch(/fedigate_inbox_requests_total\{result="refused",reason="digest_mismatch"\} 1/);
  expect(text).toMatch(/fedigate_inbox_requests_total\{result="refused",reason="missing_signature"\} 1/);
  expect(text).toMatch(/fedigate_inbox_requests_total\{result="duplicate",reason="seen"\} 1/);
});

test('a forged RFC 9421 signature (ancient created, unknown key) is refused with 401', async () => {
  const body = JSON.stringify(like(10));
  const signed = signCavageRequest({ method: 'POST', url: `${gw.url}/inbox`, headers: { 'content-type': 'application/activity+json' }, body }, { keyId: `${remote.origin}/users/bob#main-key`, privateKey: createPrivateKey(remote.keyPem.privateKeyPem) });
  const { Signature: _cavage, ...rest } = signed;
  const res = await fetch(`${gw.url}/inbox`, {
    method: 'POST',
    headers: { ...rest, 'signature-input': 'sig1=("@method" "@target-uri");created=1;keyid="x"', signature: 'sig1=:AAAA:' },
    body,
  });
  expect(res.status).toBe(401);
});

test('a document at another URL of the same server cannot pose as an actor to get its key trusted', async () => {
  // CVE-2024-23832's shape: an uploaded JSON claims to be bob and to own the attacker's key.
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  remote.documents.set('/media/evil.json', {
    id: remote.actorUri('bob'),
    type: 'Person',
    inbox: 'http://127.0.0.1:9/attacker-inbox',
    publicKey: { id: `${remote.origin}/media/evil.json#k`, owner: remote.actorUri('bob'), publicKeyPem: attacker.publicKey },
  });
  await gw.g.redis.del(gw.g.keys.remoteActor(remote.actorUri('bob')));
  const res = await remote.post(`${gw.url}/inbox`, like(11), { keyId: `${remote.origin}/media/evil.json#k`, privateKey: createPrivateKey(attacker.privateKey) });
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('unknown_key');
  const cached = await gw.g.redis.get(gw.g.keys.remoteActor(remote.actorUri('bob')));
  expect(cached === null || !cached.includes('attacker-inbox')).toBe(true);
});

test('an activity whose id lives on another server is refused at once (it could pre-empt that server\'s ids)', async () => {
  const foreign = { ...like(12), id: 'https://victim.example/likes/12' };
  const res = await remote.post(`${gw.url}/inbox`, foreign);
  expect(res.status).toBe(401);
  expect(await reasonOf(res)).toBe('id_origin_mismatch');
  expect(await gw.g.queues.inbox.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).not.toContainEqual(expect.objectContaining({ data: expect.objectContaining({ activityId: foreign.id }) }));
});

test('a request signed for another host is refused (no replay of requests meant for other servers)', async () => {
  const { request } = await import('node:http');
  const body = JSON.stringify(like(13));
  const headers = signCavageRequest({ method: 'POST', url: 'http://other.example/inbox', headers: { 'content-type': 'application/activity+json' }, body }, { keyId: `${remote.origin}/users/bob#main-key`, privateKey: createPrivateKey(remote.keyPem.privateKeyPem) });
  const { port } = new URL(gw.url);
  const answer = await new Promise<{ status: number; body: string }>((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/inbox', headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => ok({ status: res.statusCode!, body: data }));
    });
    req.on('error', fail);
    req.end(body);
  });
  expect(answer.status).toBe(401);
  expect((JSON.parse(answer.body) as { reason: string }).reason).toBe('wrong_host');
});

test('malformed percent-encoding in a WebFinger resource is a 400, not a 500', async () => {
  const res = await fetch(`${gw.url}/.well-known/webfinger?resource=${encodeURIComponent(`${gw.url}/users/%E0`)}`);
  expect(res.status).toBe(400);
});

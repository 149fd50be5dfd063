// Inbox POSTs signed RFC 9421 (by http-message-signatures' stock signer, not our code) are
// verified with the same policy as draft-cavage: key owned by the actor, ±1 h, our authority,
// method + target + Content-Digest covered.
import { request } from 'node:http';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type PeerSignOptions, peerSign } from '../support/rfc9421-peer';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let noteId: string;

const like = (n: number) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/9421-${n}`, type: 'Like', actor: remote.actorUri('bob'), object: noteId });

async function post(activity: object, o: PeerSignOptions & { as?: string; body?: string; signedUrl?: string; path?: string } = {}): Promise<{ status: number; reason?: string }> {
  const body = JSON.stringify(activity);
  const path = o.path ?? '/inbox';
  const headers = await peerSign('POST', o.signedUrl ?? `${gw.url}${path}`, body, `${remote.origin}/users/${o.as ?? 'bob'}#main-key`, remote.keyPem.privateKeyPem, o);
  const { Host: _host, ...rest } = headers; // fetch sends the Host of the URL it is given
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: rest, body: o.body ?? body });
  const text = await res.text();
  return { status: res.status, ...(text ? { reason: (JSON.parse(text) as { reason?: string }).reason } : {}) };
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-9421', 'erin') } });
  await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-9421', 'a-9421') } });
  noteId = `${gw.url}/posts/p-9421`;
  await eventually(async () => (await fetch(noteId)).status === 200, 'the post to be served');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
});

test('a Like signed RFC 9421 (@method @target-uri @authority content-digest) is accepted and reaches the platform', async () => {
  const activity = like(1);
  expect(await post(activity)).toEqual({ status: 202 });
  const cb = await eventually(() => sink.callbacks.find((c) => c.data.activityId === activity.id), 'the like callback');
  expect(cb.type).toBe('fediverse.like.created');
});

test('@authority + @path instead of @target-uri is accepted too, on a personal inbox', async () => {
  expect(await post(like(2), { path: '/users/erin/inbox', fields: ['@method', '@authority', '@path', 'content-digest'] })).toEqual({ status: 202 });
});

test("a valid key of another actor than the activity's is refused", async () => {
  expect(await post(like(3), { as: 'carol' })).toEqual({ status: 401, reason: 'key_not_owned_by_actor' });
});

test('created two hours ago, or two hours ahead, is refused', async () => {
  expect(await post(like(4), { created: new Date(Date.now() - 2 * 3600_000) })).toEqual({ status: 401, reason: 'date_out_of_window' });
  expect(await post(like(5), { created: new Date(Date.now() + 2 * 3600_000) })).toEqual({ status: 401, reason: 'date_out_of_window' });
});

test('a body not bound by a covered Content-Digest is refused, and so is a swapped body', async () => {
  expect(await post(like(6), { noDigest: true })).toEqual({ status: 401, reason: 'missing_digest' });
  expect(await post(like(7), { body: JSON.stringify(like(8)) })).toEqual({ status: 401, reason: 'digest_mismatch' });
});

test('the method and target must be covered', async () => {
  expect(await post(like(9), { fields: ['@target-uri', 'content-digest'] })).toEqual({ status: 401, reason: 'missing_covered_header' });
  expect(await post(like(10), { fields: ['@method', 'content-digest'] })).toEqual({ status: 401, reason: 'missing_covered_header' });
});

test('a signature made for another server is refused: by Host, and by @target-uri when Host is ours', async () => {
  // Host says ours, but the signed target is another server's inbox: a replay from there.
  expect(await post(like(11), { signedUrl: 'http://other.example/inbox' })).toMatchObject({ status: 401, reason: 'bad_signature' });
  const body = JSON.stringify(like(12));
  const headers = await peerSign('POST', 'http://other.example/inbox', body, `${remote.origin}/users/bob#main-key`, remote.keyPem.privateKeyPem);
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

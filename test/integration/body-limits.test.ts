// Limits at the HTTP door: JSON nested past the limit is refused before it is parsed, on the
// inboxes and the event intake alike (10,000 levels once made the inbox answer 500: queueing
// the job overflowed the stack); a fetched public key is trusted for its cache lifetime only.
import { MAX_JSON_DEPTH } from '../../services/http/raw-body';
import { KEY_TTL_SECONDS, ACTOR_TTL_SECONDS } from '../../services/remote/actor-resolver';
import { sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let remote: RemoteServer;
let gw: TestGateway;

beforeAll(async () => {
  remote = await startRemoteServer();
  gw = await startTestGateway();
});

afterAll(async () => {
  await gw.close();
  await remote.close();
});

const AS = 'https://www.w3.org/ns/activitystreams';
/** A Like whose `extra` property nests `levels` objects deep (the Like itself is one more). */
const deepLike = (n: number, levels: number) =>
  `{"@context":"${AS}","id":"${remote.origin}/likes/deep-${n}","type":"Like","actor":"${remote.actorUri('bob')}","object":"${gw.url}/posts/p1","extra":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return (await res.json()) as { title: string; detail: string; reason: string; errors?: Array<{ pointer: string }> };
};

describe('JSON depth', () => {
  test('a signed activity 10,000 levels deep is a 400 document_too_deep, not a 500', async () => {
    const res = await remote.post(`${gw.url}/inbox`, {}, { raw: deepLike(1, 10_000) });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ reason: 'document_too_deep', detail: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) });
  });

  test('on a personal inbox too, and unsigned: refused before the signature is looked at', async () => {
    const res = await fetch(`${gw.url}/users/nobody/inbox`, { method: 'POST', body: `${'['.repeat(10_000)}${']'.repeat(10_000)}` });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).reason).toBe('document_too_deep');
  });

  test('an activity just within the limit is accepted', async () => {
    expect((await remote.post(`${gw.url}/inbox`, {}, { raw: deepLike(2, MAX_JSON_DEPTH - 1) })).status).toBe(202);
    expect((await remote.post(`${gw.url}/inbox`, {}, { raw: deepLike(3, MAX_JSON_DEPTH) })).status).toBe(400);
  });

  test('a signed event body 10,000 levels deep is a 400 naming the problem', async () => {
    const res = await sendEvents(gw.url, undefined, { raw: `${'['.repeat(10_000)}${']'.repeat(10_000)}` });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ title: 'JSON nested too deep', reason: 'document_too_deep', errors: [{ pointer: '' }] });
  });
});

describe('cached keys', () => {
  const like = (n: number) => ({ '@context': AS, id: `${remote.origin}/likes/key-${n}`, type: 'Like', actor: remote.actorUri('carl'), object: `${gw.url}/posts/p1` });

  test('a fetched key is cached for its lifetime, used while cached, fetched again once expired', async () => {
    expect((await remote.post(`${gw.url}/inbox`, like(1), { as: 'carl' })).status).toBe(202);
    const keyId = `${remote.actorUri('carl')}#main-key`;
    const ttl = await gw.g.redis.ttl(gw.g.keys.remoteKey(keyId));
    expect(ttl).toBeGreaterThan(KEY_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(KEY_TTL_SECONDS);
    expect(await gw.g.redis.ttl(gw.g.keys.remoteActor(remote.actorUri('carl')))).toBeGreaterThan(ACTOR_TTL_SECONDS - 60);
    // The actor is gone now, but its key is still cached: a signature by it still verifies.
    remote.goneActors.add('carl');
    expect((await remote.post(`${gw.url}/inbox`, like(2), { as: 'carl' })).status).toBe(202);
    // Expiry (as Redis would at the end of the TTL): the key is fetched again and is gone.
    for (const key of [gw.g.keys.remoteKey(keyId), gw.g.keys.remoteActor(remote.actorUri('carl'))]) await gw.g.redis.del(key);
    const res = await remote.post(`${gw.url}/inbox`, like(3), { as: 'carl' });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).reason).toBe('unknown_key');
  });
});

// The platform's queries (contract §3) against real servers: actor lookup by handle (WebFinger
// over https, test CA), actor URI and profile URL; an account's federation state and counts.
import { makeTestCa, type TestCa } from '../e2e/support/tls';
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { at } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let ca: TestCa;
let remote: RemoteServer;
let gw: TestGateway;
const auth = { authorization: `Bearer ${TEST_SECRETS.PLATFORM_API_TOKEN}` };

beforeAll(async () => {
  ca = await makeTestCa();
  remote = await startRemoteServer({ tls: ca, host: 'localhost' });
  gw = await startTestGateway({ workers: true, extraCaPem: ca.caCertPem });
  await enableAccount(gw, 'acc-lou', 'lou');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await ca.cleanup();
});

const host = () => new URL(remote.origin).host;
const lookup = (q: string | undefined, headers: Record<string, string> = auth) =>
  fetch(`${gw.url}/platform/actors/lookup${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}`, { headers });

test('a handle resolves through WebFinger to the RemoteActor', async () => {
  const res = await lookup(`@bob@${host()}`);
  expect(res.status).toBe(200);
  const actor = (await res.json()) as Record<string, string>;
  expect(actor).toEqual({
    uri: remote.actorUri('bob'),
    handle: `@bob@${host()}`,
    name: 'BOB',
    summaryHtml: '<p>remote person</p>',
    avatarUrl: `${remote.origin}/avatars/bob.png`,
    url: `${remote.origin}/@bob`,
  });
});

test('an actor URI, and a profile URL that answers AS2 with the actor, resolve to the same actor', async () => {
  const byUri = await lookup(remote.actorUri('carl'));
  expect(byUri.status).toBe(200);
  expect(((await byUri.json()) as { uri: string }).uri).toBe(remote.actorUri('carl'));
  // A profile page (/@carl) serving the actor under its canonical id, as Mastodon does.
  remote.documents.set('/@carl', await actorJson('carl'));
  const byProfile = await lookup(`${remote.origin}/@carl`);
  expect(byProfile.status).toBe(200);
  expect(((await byProfile.json()) as { uri: string; handle: string })).toMatchObject({ uri: remote.actorUri('carl'), handle: `@carl@${host()}` });
});

test('a local handle answers with the account, marked by its platform id', async () => {
  const res = await lookup(`@lou@${gw.g.config.handleDomain}`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ uri: `${gw.url}/users/lou`, handle: `@lou@${gw.g.config.handleDomain}`, accountId: 'acc-lou', name: 'lou display' });
});

test('unknown actors are 404, a failing server 502, malformed or missing q 400 naming q, no token 401', async () => {
  remote.goneActors.add('ghost');
  expect((await lookup(`@ghost@${host()}`)).status).toBe(404);
  expect((await lookup(remote.actorUri('ghost'))).status).toBe(404);
  remote.documents.set('/notes/1', { id: `${remote.origin}/notes/1`, type: 'Note', content: 'not an actor' });
  expect((await lookup(`${remote.origin}/notes/1`)).status).toBe(404);
  const down = await lookup('@x@localhost:9');
  expect(down.status).toBe(502);
  expect(down.headers.get('content-type')).toContain('application/problem+json');
  for (const q of [undefined, '', 'not a handle', 'ftp://example.com/u']) {
    const res = await lookup(q);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { detail: string; errors: Array<{ parameter: string }> };
    expect(problem.errors[0]!.parameter).toBe('q');
    expect(problem.detail).toMatch(/^q: /);
  }
  expect((await lookup(`@bob@${host()}`, {})).status).toBe(401);
});

test("an account's federation state and counts; 404 for an account the gateway never heard of", async () => {
  await addRemoteFollower(gw, 'acc-lou', remote, 'bob');
  await addRemoteFollower(gw, 'acc-lou', remote, 'carl');
  await gw.g.followers.addRequest('acc-lou', { actor: remote.actorUri('dora'), inbox: `${remote.origin}/users/dora/inbox`, followId: `${remote.origin}/f/dora`, since: at(0) });
  await gw.g.following.request('acc-lou', { target: remote.actorUri('eve'), followId: 'lf-1', activityId: `${gw.url}/follows/lf-1`, inbox: `${remote.origin}/users/eve/inbox`, since: at(0) });
  const res = await fetch(`${gw.url}/platform/accounts/acc-lou/federation`, { headers: auth });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ accountId: 'acc-lou', enabled: true, state: 'enabled', remoteFollowers: 2, following: 1, followRequests: 1 });
  expect((await fetch(`${gw.url}/platform/accounts/acc-none/federation`, { headers: auth })).status).toBe(404);
  expect((await fetch(`${gw.url}/platform/accounts/acc-lou/federation`)).status).toBe(401);
});

/** The remote server's actor document, as it serves it. */
async function actorJson(name: string): Promise<object> {
  const found = await gw.g.actors.actor(remote.actorUri(name));
  if (!found.ok) throw new Error(found.reason);
  return found.actor;
}

// Discovery (WebFinger, host-meta, NodeInfo, actors, content negotiation) and the operators'
// surface (health, readiness, metrics, queue dashboard behind ADMIN_TOKEN).
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
let host: string;
const AS2 = { accept: 'application/activity+json' };

beforeAll(async () => {
  gw = await startTestGateway({ workers: true });
  host = new URL(gw.url).host;
  await sendEvents(gw.url, { events: [
    { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-d', 'Frank', { fields: [{ name: 'Site', value: 'https://frank.example' }], avatar: { kind: 'image', url: 'https://cdn.example/a.png', mediaType: 'image/png' } }) } },
  ] });
  await eventually(async () => (await gw.g.accounts.get('a-d'))?.state === 'enabled', 'enabled');
});
afterAll(() => gw.close());

describe('WebFinger, host-meta, NodeInfo', () => {
  test('acct: resource (any case, with or without @) resolves to the actor', async () => {
    for (const resource of [`acct:frank@${host}`, `acct:@Frank@${host}`]) {
      const res = await fetch(`${gw.url}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/jrd+json');
      const jrd = (await res.json()) as { subject: string; links: Array<{ rel: string; href: string; type?: string }> };
      expect(jrd.subject).toBe(`acct:Frank@${host}`);
      expect(jrd.links).toContainEqual({ rel: 'self', type: 'application/activity+json', href: `${gw.url}/users/Frank` });
    }
  });

  test('the actor URL is accepted as a resource; unknown, foreign and malformed resources are refused', async () => {
    const byUrl = await fetch(`${gw.url}/.well-known/webfinger?resource=${encodeURIComponent(`${gw.url}/users/Frank`)}`);
    expect(byUrl.status).toBe(200);
    expect((await fetch(`${gw.url}/.well-known/webfinger?resource=acct:nobody@${host}`)).status).toBe(404);
    expect((await fetch(`${gw.url}/.well-known/webfinger?resource=acct:frank@elsewhere.example`)).status).toBe(404);
    const missing = await fetch(`${gw.url}/.well-known/webfinger`);
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  test('host-meta points at WebFinger; NodeInfo 2.1 counts the enabled accounts', async () => {
    const xrd = await (await fetch(`${gw.url}/.well-known/host-meta`)).text();
    expect(xrd).toContain(`template="${gw.url}/.well-known/webfinger?resource={uri}"`);
    const links = (await (await fetch(`${gw.url}/.well-known/nodeinfo`)).json()) as { links: Array<{ rel: string; href: string }> };
    expect(links.links[0]).toEqual({ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${gw.url}/nodeinfo/2.1` });
    const info = (await (await fetch(links.links[0]!.href)).json()) as { version: string; protocols: string[]; usage: { users: { total: number } } };
    expect(info.version).toBe('2.1');
    expect(info.protocols).toEqual(['activitypub']);
    expect(info.usage.users.total).toBe(1);
  });
});

describe('actors and content negotiation', () => {
  test('servers get the Person; browsers are sent to the profile page', async () => {
    const person = (await (await fetch(`${gw.url}/users/Frank`, { headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } })).json()) as Record<string, any>;
    expect(person).toMatchObject({
      id: `${gw.url}/users/Frank`,
      type: 'Person',
      preferredUsername: 'Frank',
      inbox: `${gw.url}/users/Frank/inbox`,
      endpoints: { sharedInbox: `${gw.url}/inbox` },
      publicKey: { id: `${gw.url}/users/Frank#main-key`, owner: `${gw.url}/users/Frank` },
      icon: { type: 'Image', url: 'https://cdn.example/a.png' },
      discoverable: true,
      indexable: true,
    });
    expect(person.publicKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(person.attachment[0]).toMatchObject({ type: 'PropertyValue', name: 'Site' });
    const browser = await fetch(`${gw.url}/users/Frank`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('https://platform.example/@Frank');
  });

  test('the instance actor is served with its own key', async () => {
    const res = await fetch(`${gw.url}/actor`, { headers: AS2 });
    const actor = (await res.json()) as Record<string, any>;
    expect(actor).toMatchObject({ id: `${gw.url}/actor`, type: 'Application', publicKey: { id: `${gw.url}/actor#main-key` } });
  });

  test('unknown actors are 404 and followers-only posts are not served to unsigned requests', async () => {
    expect((await fetch(`${gw.url}/users/ghost`, { headers: AS2 })).status).toBe(404);
    await sendEvents(gw.url, { id: eventId('fo'), type: 'post.created', occurredAt: at(5), data: { post: postData('p-fo', 'a-d', { visibility: 'followers' }) } });
    await sendEvents(gw.url, { id: eventId('pub'), type: 'post.created', occurredAt: at(6), data: { post: postData('p-pub', 'a-d') } });
    await eventually(async () => (await fetch(`${gw.url}/posts/p-pub`, { headers: AS2 })).status === 200, 'public post served');
    expect((await gw.g.posts.get('p-fo'))?.federated).toBe(true);
    expect((await fetch(`${gw.url}/posts/p-fo`, { headers: AS2 })).status).toBe(404);
  });
});

describe('operators', () => {
  test('healthz and readyz answer; readyz names the checks', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', queues: 'ok' } });
  });

  test('/metrics exposes queue depths, deliveries, inbox and event counters in Prometheus format', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/fedigate_queue_jobs\{queue="delivery",state="waiting"\} \d+/);
    expect(text).toMatch(/fedigate_platform_events_total\{result="accepted"\} [1-9]/);
    expect(text).toContain('# TYPE fedigate_deliveries_total counter');
    expect(text).toContain('# TYPE fedigate_inbox_requests_total counter');
  });

  test('the queue dashboard needs ADMIN_TOKEN (bearer, or Basic for browsers)', async () => {
    const anon = await fetch(`${gw.url}/admin/queues`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Basic');
    expect((await fetch(`${gw.url}/admin/queues`, { headers: { authorization: 'Bearer wrong-token-123456' } })).status).toBe(401);
    const bearer = await fetch(`${gw.url}/admin/queues`, { headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('<html');
    const basic = Buffer.from(`ops:${TEST_SECRETS.ADMIN_TOKEN}`).toString('base64');
    const api = await fetch(`${gw.url}/admin/queues/api/queues`, { headers: { authorization: `Basic ${basic}` } });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['callbacks', 'delivery', 'events', 'fanout', 'inbox', 'moderation']);
  });
});

describe('accounts that approve followers by hand', () => {
  let remote: RemoteServer;
  let sink: PlatformSink;
  let gw2: TestGateway;
  beforeAll(async () => {
    remote = await startRemoteServer();
    sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
    gw2 = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
    await sendEvents(gw2.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-lock', 'locked', { manuallyApprovesFollowers: true }) } });
    await eventually(async () => (await gw2.g.accounts.get('a-lock'))?.state === 'enabled', 'enabled');
  });
  afterAll(async () => {
    await gw2.close();
    await sink.close();
    await remote.close();
  });

  test('a Follow becomes a pending request and a follow_request.received callback, with no Accept', async () => {
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/follows/lock`, type: 'Follow', actor: remote.actorUri('bob'), object: `${gw2.url}/users/locked` };
    expect((await remote.post(`${gw2.url}/users/locked/inbox`, follow)).status).toBe(202);
    const cb = await eventually(() => sink.callbacks.find((c) => c.type === 'fediverse.follow_request.received'), 'follow_request.received');
    expect(cb.data).toMatchObject({ accountId: 'a-lock', follower: { uri: remote.actorUri('bob') } });
    expect(await gw2.g.followers.getRequest('a-lock', remote.actorUri('bob'))).toMatchObject({ followId: follow.id });
    expect(await gw2.g.followers.count('a-lock')).toBe(0);
    expect(remote.received.filter((r) => r.json.type === 'Accept')).toEqual([]);
  });
});

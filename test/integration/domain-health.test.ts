// Per-domain delivery health against real loopback servers: a 410 from a personal inbox removes
// the follower behind it everywhere (reported with reason 'gone'); a 410 from a shared inbox makes
// the domain unavailable; 7 failure days do too; unavailable domains are skipped at fan-out until
// a delivery succeeds or the domain signs a request; the circuit breaker fails fast after
// consecutive network failures; operators read it all at /admin/domains/{domain}/health.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RetryableDeliveryError, runDelivery } from '../../services/federation/deliver-job';
import { DOMAIN_HEALTH, domainOf } from '../../services/remote/domain-health';
import { classifyStatus } from '../../services/remote/retry-policy';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let sink: PlatformSink;
let gw: TestGateway;
let personal: RemoteServer;
let shared: RemoteServer;
let reset: Server;
let resetConnections = 0;
const sockets = new Set<Socket>();
let seconds = 0;

const DAY = 24 * 3600 * 1000;
const creates = (s: RemoteServer) => s.received.filter((r) => r.json.type === 'Create').length;
const metric = async (name: string) => {
  const line = (await gw.g.metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? 0);
};
const health = async (domain: string, token = TEST_SECRETS.ADMIN_TOKEN) =>
  fetch(`${gw.url}/admin/domains/${encodeURIComponent(domain)}/health`, { headers: { authorization: `Bearer ${token}` } });

async function post(id: string, accountId = 'a-fay') {
  await sendEvents(gw.url, { id: eventId(id), type: 'post.created', occurredAt: at(++seconds), data: { post: postData(id, accountId) } });
}

async function follow(server: RemoteServer, as: string, username: string, opts: { keyId?: string } = {}) {
  const actor = opts.keyId ? opts.keyId.replace(/#.*$/, '') : server.actorUri(as);
  const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${server.origin}/follows/${as}-${username}`, type: 'Follow', actor, object: `${gw.url}/users/${username}` };
  expect((await server.post(`${gw.url}/users/${username}/inbox`, activity, { as, ...opts })).status).toBe(202);
}

beforeAll(async () => {
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  personal = await startRemoteServer();
  shared = await startRemoteServer();
  // Accepts TCP connections and resets them: a network failure on every delivery.
  reset = createServer((socket) => {
    resetConnections++;
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((r) => reset.listen(0, '127.0.0.1', r));
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url } });
  for (const [id, name] of [['a-fay', 'fay'], ['a-gus', 'gus']]) {
    await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData(id!, name!) } });
  }
  // Events apply concurrently: wait for each account, not only the last one sent.
  for (const name of ['fay', 'gus']) {
    await eventually(async () => (await fetch(`${gw.url}/users/${name}`, { headers: { accept: 'application/activity+json' } })).status === 200, `${name} published`);
  }
});

afterAll(async () => {
  await gw.close();
  await personal.close();
  await shared.close();
  await new Promise<void>((r) => reset.close(() => r()));
  await sink.close();
});

test('a 410 from a personal inbox removes that follower from every local account it followed, reported with reason gone', async () => {
  // carl has no shared inbox: deliveries go to his own inbox.
  const carl = `${personal.origin}/people/carl`;
  personal.documents.set('/people/carl', {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: carl, type: 'Person', preferredUsername: 'carl', inbox: `${personal.origin}/users/carl/inbox`,
    publicKey: { id: `${carl}#main-key`, owner: carl, publicKeyPem: personal.keyPem.publicKeyPem },
  });
  personal.inboxGate = (r) => (r.json.type === 'Create' ? 410 : 202);
  await follow(personal, 'carl', 'fay', { keyId: `${carl}#main-key` });
  await follow(personal, 'carl', 'gus', { keyId: `${carl}#main-key` });
  await eventually(async () => (await gw.g.followers.count('a-fay')) === 1 && (await gw.g.followers.count('a-gus')) === 1, 'carl following both');
  await eventually(() => personal.received.filter((r) => r.json.type === 'Accept').length === 2, 'both Accepts delivered');

  await post('p-gone');
  const removed = await eventually(() => {
    const found = sink.callbacks.filter((c) => c.type === 'fediverse.follower.removed' && c.data.follower?.uri === carl);
    return found.length === 2 ? found : undefined;
  }, 'two follower.removed callbacks');
  expect(removed.map((c) => [c.data.accountId, c.data.reason]).sort()).toEqual([['a-fay', 'gone'], ['a-gus', 'gone']]);
  expect(await gw.g.followers.count('a-fay')).toBe(0);
  expect(await gw.g.followers.count('a-gus')).toBe(0);
  // A personal inbox going away says nothing about its server.
  expect(((await (await health(domainOf(personal.origin)!)).json()) as { available: boolean }).available).toBe(true);
});

test('a 410 from a shared inbox makes its domain unavailable: skipped at fan-out until it signs a request', async () => {
  const domain = domainOf(shared.origin)!;
  shared.inboxGate = (r) => (r.json.type === 'Create' ? 410 : 202);
  await follow(shared, 'bob', 'fay');
  await eventually(() => shared.received.some((r) => r.json.type === 'Accept'), 'the Accept delivered');
  await post('p-shared-gone');
  await eventually(async () => !((await (await health(domain)).json()) as { available: boolean }).available, 'domain unavailable');
  const report = (await (await health(domain)).json()) as { unavailable: { reason: string } };
  expect(report.unavailable.reason).toBe('gone');
  // The server's followers are kept: one answer is too little to drop a whole server.
  expect(await gw.g.followers.count('a-fay')).toBe(1);

  shared.inboxGate = () => 202;
  const skippedBefore = await metric('fedigate_deliveries_skipped_unavailable_total');
  const createsBefore = creates(shared);
  await post('p-skipped');
  await eventually(async () => (await metric('fedigate_deliveries_skipped_unavailable_total')) === skippedBefore + 1, 'the inbox skipped at fan-out');
  expect(await metric('fedigate_domains_unavailable')).toBe(1);

  // Any signed request from the domain shows it is alive.
  const like = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${shared.origin}/likes/1`, type: 'Like', actor: shared.actorUri('bob'), object: `${gw.url}/posts/p-skipped` };
  expect((await shared.post(`${gw.url}/users/fay/inbox`, like)).status).toBe(202);
  expect(((await (await health(domain)).json()) as { available: boolean }).available).toBe(true);
  await post('p-back');
  await eventually(() => creates(shared) === createsBefore + 1, 'the next Create delivered');
  expect(shared.received.filter((r) => r.json.type === 'Create').map((r) => (r.json.object as { id: string }).id).slice(-1)[0]).toMatch(/p-back$/);
});

test('a domain failing on 7 distinct days is unavailable; a successful delivery to it resets it', async () => {
  const domain = domainOf(shared.origin)!;
  const failing = classifyStatus(503);
  const start = Date.UTC(2026, 10, 1, 12);
  for (let day = 0; day < DOMAIN_HEALTH.unavailableAfterDays - 1; day++) {
    // Several failures on one day count once.
    await gw.g.domainHealth.recordFailure(domain, failing, start + day * DAY);
    await gw.g.domainHealth.recordFailure(domain, failing, start + day * DAY + 3600_000);
  }
  // A refusal (4xx) is the server working: it never counts.
  await gw.g.domainHealth.recordFailure(domain, classifyStatus(404), start + 10 * DAY);
  let report = (await (await health(domain)).json()) as { available: boolean; failureDays: string[] };
  expect(report).toMatchObject({ available: true, failureDays: ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'] });
  expect((await gw.g.domainHealth.recordFailure(domain, failing, start + 6 * DAY)).becameUnavailable).toBe(true);
  report = (await (await health(domain)).json()) as typeof report & { unavailable: { reason: string } };
  expect(report).toMatchObject({ available: false, unavailable: { reason: 'failing' } });

  // A retry still queued from before goes through: the domain is back.
  const createId = shared.received.filter((r) => r.json.type === 'Create').slice(-1)[0]!.json.id as string;
  expect(await runDelivery(gw.g, { activityId: createId, signer: { accountId: 'a-fay' }, inbox: `${shared.origin}/inbox` })).toEqual({ status: 202 });
  report = (await (await health(domain)).json()) as typeof report;
  expect(report).toMatchObject({ available: true, failureDays: [] });
});

test('consecutive network failures open the breaker: deliveries to that domain fail fast without connecting', async () => {
  const inbox = `http://127.0.0.1:${(reset.address() as AddressInfo).port}/inbox`;
  const createId = shared.received.filter((r) => r.json.type === 'Create').slice(-1)[0]!.json.id as string;
  const job = { activityId: createId, signer: { accountId: 'a-fay' }, inbox };
  const reasons: string[] = [];
  for (let i = 0; i < DOMAIN_HEALTH.breakerThreshold + 3; i++) {
    const err = await runDelivery(gw.g, job).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableDeliveryError);
    reasons.push((err as Error).message.startsWith('circuit open') ? 'fast' : 'connected');
  }
  expect(reasons).toEqual([...Array(DOMAIN_HEALTH.breakerThreshold).fill('connected'), 'fast', 'fast', 'fast']);
  expect(resetConnections).toBe(DOMAIN_HEALTH.breakerThreshold);
  expect(await metric('fedigate_domain_breaker_opened_total')).toBe(1);
  const report = (await (await health(domainOf(inbox)!)).json()) as { breaker: { open: boolean; openUntil: string } };
  expect(report.breaker.open).toBe(true);
  expect(Date.parse(report.breaker.openUntil)).toBeGreaterThan(Date.now());
  // The error carries the cool-down, so BullMQ's backoff waits at least that long.
  const err = (await runDelivery(gw.g, job).catch((e: unknown) => e)) as RetryableDeliveryError;
  expect(err.retryAfterMs).toBeGreaterThan(0);
  expect(err.retryAfterMs).toBeLessThanOrEqual(DOMAIN_HEALTH.breakerCooldownMs);
});

test('the health endpoint needs the admin token and names a bad domain', async () => {
  expect((await health('example.social', 'wrong-token-0123456789')).status).toBe(401);
  expect((await fetch(`${gw.url}/admin/domains/example.social/health`)).status).toBe(401);
  const bad = await health('not a domain');
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  expect(await bad.json()).toMatchObject({ field: 'domain' });
  expect(await (await health('Example.Social')).json()).toEqual({
    domain: 'example.social', available: true, failureDays: [], breaker: { open: false, consecutiveNetworkFailures: 0 },
  });
  // Deliveries key a domain by URL.host (punycode), so an IDN typed as Unicode reads the same record.
  expect(await (await health('bücher.example')).json()).toMatchObject({ domain: 'xn--bcher-kva.example' });
  // A service name on a private network (deliveries may go there with ALLOW_PRIVATE_ADDRESSES).
  expect(await (await health('peer:3000')).json()).toMatchObject({ domain: 'peer:3000' });
});

// Inbox POSTs per remote server: one server over INBOX_RATE_LIMIT gets 429 + Retry-After while
// others posting at the same moment are served; the count is in Redis, shared by two gateway
// processes; forgeries naming a server do not spend its budget.
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '../../config/env';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { testConfig } from '../support/test-config';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

const AS = 'https://www.w3.org/ns/activitystreams';
const LIMIT = 5;
const WINDOW_SECONDS = 600;
const prefix = `t-rate-${process.pid}-${Date.now().toString(36)}`;

let gwA: TestGateway;
let gwB: TestGateway;
let flooder: RemoteServer;
let other: RemoteServer;

beforeAll(async () => {
  const env = { REDIS_PREFIX: prefix, INBOX_RATE_LIMIT: String(LIMIT), INBOX_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS) };
  [gwA, gwB, flooder, other] = await Promise.all([startTestGateway({ env }), startTestGateway({ env }), startRemoteServer(), startRemoteServer()]);
});

afterAll(async () => {
  await gwA.close();
  await gwB.close();
  await flooder.close();
  await other.close();
});

let seq = 0;
const like = (from: RemoteServer, gw: TestGateway, actor = 'bob') => ({ '@context': AS, id: `${from.origin}/likes/${++seq}`, type: 'Like', actor: from.actorUri(actor), object: `${gw.url}/posts/p1` });
const postLike = (from: RemoteServer, gw: TestGateway) => from.post(`${gw.url}/inbox`, like(from, gw));
const hostOf = (s: RemoteServer) => new URL(s.origin).host;

async function expectRateLimited(res: Response, server: RemoteServer) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(await res.json()).toMatchObject({ status: 429, title: 'Too Many Requests', reason: 'rate_limited', domain: hostOf(server), detail: `more than ${LIMIT} inbox POSTs from ${hostOf(server)} in ${WINDOW_SECONDS} s` });
}

test('a server over the limit gets 429 with Retry-After; another posting at the same time is accepted', async () => {
  // Both at once, through two gateway processes: the flooder's count is one, in Redis.
  const flood = Array.from({ length: LIMIT + 3 }, (_, i) => postLike(flooder, i % 2 ? gwB : gwA));
  const calm = Array.from({ length: LIMIT }, (_, i) => postLike(other, i % 2 ? gwA : gwB));
  const [flooded, served] = await Promise.all([Promise.all(flood), Promise.all(calm)]);
  expect(flooded.filter((r) => r.status === 202)).toHaveLength(LIMIT);
  const refused = flooded.filter((r) => r.status !== 202);
  expect(refused).toHaveLength(3);
  for (const r of refused) await expectRateLimited(r, flooder);
  expect(served.map((r) => r.status)).toEqual(Array(LIMIT).fill(202));
  // The window is a key with an expiry, so a count can never outlive it.
  const pttl = await gwA.g.redis.pttl(gwA.g.keys.inboxRate(hostOf(flooder), 'signed'));
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
});

test('once over, the server is refused before its signature is verified', async () => {
  // A bad signature would be a 401 after a key lookup; over the limit it never gets that far.
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  await expectRateLimited(await flooder.post(`${gwA.url}/inbox`, like(flooder, gwA), { privateKey: wrongKey }), flooder);
  // Personal inboxes share the server's count.
  await expectRateLimited(await flooder.post(`${gwB.url}/users/alice/inbox`, like(flooder, gwB)), flooder);
});

test('forgeries naming a server do not spend its budget', async () => {
  const victim = await startRemoteServer();
  try {
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (let i = 0; i < LIMIT + 2; i++) expect((await victim.post(`${gwA.url}/inbox`, like(victim, gwA), { privateKey: wrongKey })).status).toBe(401);
    for (let i = 0; i < LIMIT; i++) expect((await postLike(victim, gwB)).status).toBe(202);
    await expectRateLimited(await postLike(victim, gwA), victim);
  } finally {
    await victim.close();
  }
});

test("unverifiable self-Deletes have their own count: they cannot spend the named server's budget", async () => {
  const server = await startRemoteServer();
  try {
    // Each names an actor whose key cannot be found: queued unverified (one job per actor).
    const selfDelete = (n: number) => {
      const actor = server.actorUri(`gone${n}`);
      return server.post(`${gwA.url}/inbox`, { '@context': AS, id: `${actor}#delete`, type: 'Delete', actor, object: actor }, { keyId: `${actor}#no-such-key` });
    };
    for (let i = 0; i < LIMIT; i++) expect((await selfDelete(i)).status).toBe(202);
    await expectRateLimited(await selfDelete(LIMIT), server);
    expect((await postLike(server, gwA)).status).toBe(202);
  } finally {
    await server.close();
  }
});

test('refusals are counted under reason rate_limited', async () => {
  const metric = await gwA.g.metrics.inbox.get();
  const refused = metric.values.find((v) => v.labels.result === 'refused' && v.labels.reason === 'rate_limited')?.value ?? 0;
  expect(refused).toBeGreaterThanOrEqual(2);
  expect(await (await fetch(`${gwA.url}/metrics`)).text()).toMatch(/fedigate_inbox_requests_total\{result="refused",reason="rate_limited"\} \d+/);
});

test('INBOX_RATE_LIMIT=0 turns the limit off (and a window of 0 s is a configuration error)', async () => {
  expect(() => testConfig({ INBOX_RATE_WINDOW_SECONDS: '0' })).toThrow(ConfigError);
  const open = await startTestGateway({ env: { INBOX_RATE_LIMIT: '0' } });
  const server = await startRemoteServer();
  try {
    for (let i = 0; i < LIMIT + 2; i++) expect((await postLike(server, open)).status).toBe(202);
    expect(await open.g.redis.exists(open.g.keys.inboxRate(hostOf(server), 'signed'))).toBe(0);
  } finally {
    await open.close();
    await server.close();
  }
});

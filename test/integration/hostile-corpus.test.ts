// The hostile corpus (test/support/hostile-corpus.ts) over real HTTP to a real gateway with its
// workers: no 5xx, no crash, every refusal a problem+json saying why (and where, for events);
// what was accepted is processed by the workers without a failed job; the loopback server posing
// as a @context host is never asked for anything. The counts by status and reason are printed.
import { type Server, createServer } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HostileRequest, type HostileResponse, hostileEventCorpus, hostileInboxCorpus, sendHostile } from '../support/hostile-corpus';
import { type PlatformSink, startPlatformSink } from '../support/platform-sink';
import { accountData, at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let sink: PlatformSink;
let remote: RemoteServer;
let gw: TestGateway;
let contextHost: Server;
let contextOrigin = '';
const contextRequests: string[] = [];
const local = { accountId: 'acc-hana', username: 'hana', postId: 'p-hana' };

beforeAll(async () => {
  // Ready to answer with a context that would redefine terms: any request it gets is a failure.
  contextHost = createServer((req, res) => {
    contextRequests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/ld+json' });
    res.end(JSON.stringify({ '@context': { content: 'http://evil.example/ns#content' } }));
  });
  await new Promise<void>((ok) => contextHost.listen(0, '127.0.0.1', ok));
  contextOrigin = `http://127.0.0.1:${(contextHost.address() as AddressInfo).port}`;
  sink = await startPlatformSink(TEST_SECRETS.PLATFORM_CALLBACK_SECRET);
  remote = await startRemoteServer();
  // One remote server sends the whole corpus: the rate limit is not what is tested here.
  gw = await startTestGateway({ workers: true, env: { PLATFORM_CALLBACK_URL: sink.url, INBOX_RATE_LIMIT: '0' } });
  expect((await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData(local.accountId, local.username) } })).status).toBe(202);
  expect((await sendEvents(gw.url, { id: eventId('p'), type: 'post.created', occurredAt: at(1), data: { post: postData(local.postId, local.accountId) } })).status).toBe(202);
  await eventually(async () => (await fetch(`${gw.url}/posts/${local.postId}`)).status === 200, 'the post to be served');
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await sink.close();
  await new Promise<void>((ok) => contextHost.close(() => ok()));
});

interface Outcome {
  req: HostileRequest;
  res: HostileResponse;
}

/** What a refusal says it is about: its reason, else the first field it names, else its title. */
function reasonOf(o: Outcome): string {
  if (o.res.status < 400) return '-';
  let p: { reason?: string; title?: string; errors?: Array<{ pointer: string; message: string }> };
  try {
    p = JSON.parse(o.res.body) as typeof p;
  } catch {
    return '(no problem body)';
  }
  if (p.reason) return p.reason;
  if (p.errors?.length) return `field ${p.errors[0]!.pointer.replace(/^\/events\/\d+/, '/events/N') || '/'}`;
  return p.title ?? '?';
}

/** Every refusal is problem+json with a title, a detail and (inbox) a reason or (events 400) the fields. */
function refusalProblems(o: Outcome): string[] {
  const { req, res } = o;
  if (res.status < 400) return [];
  const problems: string[] = [];
  if (!String(res.headers['content-type']).includes('application/problem+json')) problems.push(`content-type ${String(res.headers['content-type'])}`);
  let p: { status?: number; title?: unknown; detail?: unknown; reason?: unknown; errors?: Array<{ pointer?: unknown; message?: unknown }> };
  try {
    p = JSON.parse(res.body) as typeof p;
  } catch {
    return [...problems, `body is not JSON: ${res.body.slice(0, 80)}`];
  }
  if (p.status !== res.status) problems.push(`status ${String(p.status)} in the body`);
  if (typeof p.title !== 'string' || !p.title) problems.push('no title');
  if (typeof p.detail !== 'string' || !p.detail) problems.push('no detail');
  if (req.target === 'inbox' && (typeof p.reason !== 'string' || !p.reason)) problems.push('no reason');
  if (req.target === 'events' && res.status === 400) {
    if (!Array.isArray(p.errors) || p.errors.length === 0) problems.push('no errors');
    else if (!p.errors.every((e) => typeof e.pointer === 'string' && typeof e.message === 'string' && e.message)) problems.push('an error without pointer or message');
  }
  return problems;
}

async function sendAll(requests: HostileRequest[], concurrency: number): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        outcomes.push({ req, res: await sendHostile(gw.url, req, agent) });
      }
    }),
  );
  agent.destroy();
  return outcomes;
}

function printCounts(outcomes: Outcome[]) {
  const count = (key: (o: Outcome) => string) => {
    const m = new Map<string, number>();
    for (const o of outcomes) m.set(key(o), (m.get(key(o)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `  ${String(v).padStart(4)}  ${k}`).join('\n');
  };
  process.stdout.write(
    `\nhostile corpus: ${outcomes.length} requests\nby target, status and reason:\n${count((o) => `${o.req.target.padEnd(6)} ${o.res.status} ${reasonOf(o)}`)}\n` +
      `by target, category and status:\n${count((o) => `${o.req.target.padEnd(6)} ${o.req.category.padEnd(15)} ${o.res.status}`)}\n`,
  );
}

test('the hostile corpus: no 5xx, every refusal explained, the accepted processed, no context fetched', async () => {
  const ctx = { gateway: gw.url, remote: { origin: remote.origin, privateKeyPem: remote.keyPem.privateKeyPem }, contextHost: contextOrigin, webhookSecret: TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, local };
  const corpus = [...hostileInboxCorpus(ctx), ...hostileEventCorpus(ctx)];
  expect(corpus.length).toBeGreaterThanOrEqual(500);
  const outcomes = await sendAll(corpus, 6);
  printCounts(outcomes);

  const serverErrors = outcomes.filter((o) => o.res.status >= 500 || o.res.status < 200).map((o) => `${o.req.target} ${o.req.category} ${o.req.name}: ${o.res.status} ${o.res.body.slice(0, 200)}`);
  expect(serverErrors).toEqual([]);
  const unexplained = outcomes.flatMap((o) => refusalProblems(o).map((p) => `${o.req.target} ${o.req.category} ${o.req.name} (${o.res.status}): ${p}`));
  expect(unexplained).toEqual([]);
  const unexpected = outcomes
    .filter((o) => o.req.expect && !o.req.expect.includes(o.res.status))
    .map((o) => `${o.req.target} ${o.req.category} ${o.req.name}: ${o.res.status} (expected ${o.req.expect!.join('/')}) ${o.res.body.slice(0, 160)}`);
  expect(unexpected).toEqual([]);

  // Everything accepted is worked off and no job failed. The one retry by design: a post of an
  // account the gateway does not know yet waits for its account.enabled (which may come later).
  const waitsByDesign = (reason: string | undefined) => /^account .* is not enabled yet$/.test(reason ?? '');
  const retrying: string[] = [];
  await eventually(
    async () => {
      retrying.length = 0;
      for (const [name, queue] of Object.entries(gw.g.queues)) {
        const c = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
        if (Object.values(c).some((v) => Number(v) > 0)) return false;
        for (const job of await queue.getDelayed()) {
          if (!waitsByDesign(job.failedReason)) return false;
          retrying.push(`${name} ${String(job.data.id)}: ${job.failedReason}`);
        }
      }
      return true;
    },
    'every queue drained',
    60_000,
  );
  const failed: string[] = [];
  for (const [name, queue] of Object.entries(gw.g.queues)) {
    for (const job of await queue.getFailed()) failed.push(`${name} ${job.id}: ${job.failedReason}`);
  }
  expect(failed).toEqual([]);
  process.stdout.write(`jobs retrying by design: ${retrying.length}\n${retrying.map((r) => `  ${r}\n`).join('')}`);
  const processed = (await gw.g.metrics.inboxProcessed.get()).values.map((v) => `${String(v.value).padStart(4)}  ${v.labels.outcome} ${v.labels.reason}`).sort();
  const events = (await gw.g.metrics.events.get()).values.map((v) => `${String(v.value).padStart(4)}  ${v.labels.result}`).sort();
  process.stdout.write(`inbox activities processed by the workers:\n  ${processed.join('\n  ')}\nplatform events:\n  ${events.join('\n  ')}\n`);
  expect(processed.length).toBeGreaterThan(0);

  expect(contextRequests).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
}, 120_000);

// The gateway as real processes: start-up checks, the newcomer's local Redis, the gateway and
// worker halves run apart, and SIGTERM stops cleanly without losing queued work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisKeys } from '../../config/redis-keys';
import { accountData, at, eventId, sendEvents } from '../support/platform-events';
import { freePorts, spawnGateway } from '../support/spawn-gateway';
import { TEST_SECRETS } from '../support/test-config';
import { deletePrefix, eventually } from '../support/test-gateway';

jest.setTimeout(60000);

const cwd = mkdtempSync(join(tmpdir(), 'fedigate-proc-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const baseEnv = (port: number, extra: Record<string, string> = {}) => ({
  ...TEST_SECRETS,
  PLATFORM_CALLBACK_URL: 'http://127.0.0.1:9/callbacks',
  PORT: String(port),
  PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
  LOG_LEVEL: 'info',
  ...extra,
});

test('a bad configuration stops start-up with a message naming each variable', async () => {
  const p = spawnGateway('all', { PORT: 'eighty', PLATFORM_WEBHOOK_SECRET: 'short', PUBLIC_ORIGIN: 'ftp://x' }, cwd);
  expect(await p.stop('SIGCONT')).toBe(1);
  const out = p.output();
  for (const name of ['PORT', 'PLATFORM_WEBHOOK_SECRET', 'PUBLIC_ORIGIN', 'ADMIN_TOKEN: is required', 'PLATFORM_CALLBACK_URL: is required']) {
    expect(out).toContain(name);
  }
});

test('with REDIS_URL unset and no Redis answering, npm start runs a local redis-server (AOF) and stops it on SIGTERM', async () => {
  const [port, redisPort] = (await freePorts(2)) as [number, number];
  const p = spawnGateway('all', baseEnv(port, { LOCAL_REDIS_PORT: String(redisPort) }), cwd);
  await p.waitForOutput('started a local redis-server');
  await p.waitForOutput('fedigate listening');
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  const local = new Redis(`redis://127.0.0.1:${redisPort}`);
  expect(((await local.config('GET', 'appendonly')) as string[])[1]).toBe('yes');
  local.disconnect();
  expect(await p.stop()).toBe(0);
  expect(p.output()).toContain('"msg":"stopped"');
  const probe = new Redis(`redis://127.0.0.1:${redisPort}`, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await expect(probe.connect()).rejects.toThrow();
  probe.disconnect();
});

test('gateway and worker run as separate processes; events accepted before a restart are applied after it', async () => {
  const [port] = (await freePorts(1)) as [number];
  const prefix = `proc${Date.now().toString(36)}`;
  const env = baseEnv(port, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix });
  try {
    const gateway = spawnGateway('gateway', env, cwd);
    await gateway.waitForOutput('fedigate listening');
    const ev = { id: eventId('split'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-split', 'splitter') } };
    expect((await sendEvents(`http://127.0.0.1:${port}`, ev)).status).toBe(202);
    // No worker yet: the actor is not published.
    expect((await fetch(`http://127.0.0.1:${port}/users/splitter`)).status).toBe(404);
    expect(await gateway.stop()).toBe(0);

    const worker = spawnGateway('worker', env, cwd);
    const gateway2 = spawnGateway('gateway', env, cwd);
    await gateway2.waitForOutput('fedigate listening');
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/users/splitter`, { headers: { accept: 'application/activity+json' } })).status === 200, 'the worker to apply the queued event', 20000);
    expect(await worker.stop()).toBe(0);
    expect(await gateway2.stop()).toBe(0);
    expect(worker.output()).toContain('"msg":"stopped"');
  } finally {
    await deletePrefix('redis://127.0.0.1:6379', prefix);
  }
});

test('with WORKER_OPS_PORT a worker serves probes and its own metrics, and nothing else', async () => {
  const [port, opsPort] = (await freePorts(2)) as [number, number];
  const prefix = `wops${Date.now().toString(36)}`;
  const env = baseEnv(port, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, WORKER_OPS_PORT: String(opsPort) });
  try {
    const worker = spawnGateway('worker', env, cwd);
    await worker.waitForOutput('fedigate listening');
    const ops = `http://127.0.0.1:${opsPort}`;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', queues: 'ok' } });
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    for (const name of ['fedigate_deliveries_total', 'fedigate_delivery_seconds', 'fedigate_callbacks_total', 'fedigate_inbox_activities_total', 'fedigate_queue_jobs']) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    // Only probes: no public route, no admin board, and PORT stays free for a gateway.
    expect((await fetch(`${ops}/.well-known/nodeinfo`)).status).toBe(404);
    expect((await fetch(`${ops}/admin/queues`)).status).toBe(404);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(await worker.stop()).toBe(0);
    expect(worker.output()).toContain('"msg":"stopped"');
  } finally {
    await deletePrefix('redis://127.0.0.1:6379', prefix);
  }
});

test('SIGTERM lets a delivery in flight finish before the worker exits', async () => {
  const { createServer } = await import('node:http');
  let arrived: () => void = () => undefined;
  const inFlight = new Promise<void>((r) => (arrived = r));
  let answered = 0;
  // A slow inbox: it holds each POST for 1.5 s before answering 202.
  const slow = createServer((req, res) => {
    req.resume();
    arrived();
    setTimeout(() => {
      res.writeHead(202).end();
      answered++;
    }, 1500);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const inbox = `http://127.0.0.1:${(slow.address() as { port: number }).port}/inbox`;
  const [port] = (await freePorts(1)) as [number];
  const prefix = `drain${Date.now().toString(36)}`;
  const env = baseEnv(port, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, ALLOW_PRIVATE_ADDRESSES: 'true' });
  try {
    const proc = spawnGateway('all', env, cwd);
    await proc.waitForOutput('fedigate listening');
    await sendEvents(`http://127.0.0.1:${port}`, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-drain', 'drainer') } });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/users/drainer`, { headers: { accept: 'application/activity+json' } })).status === 200, 'enabled');
    const redis = new Redis('redis://127.0.0.1:6379');
    await redis.hset(redisKeys(prefix).followers('a-drain'), 'http://127.0.0.1/users/slow', JSON.stringify({ actor: 'http://127.0.0.1/users/slow', inbox, followId: 'f', since: at(0) }));
    redis.disconnect();
    await sendEvents(`http://127.0.0.1:${port}`, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: { id: 'p-drain', accountId: 'a-drain', createdAt: at(1), text: 'drain', visibility: 'public' } } });
    await inFlight;
    expect(await proc.stop('SIGTERM')).toBe(0);
    // The worker waited for the inbox's answer and recorded the job done before exiting.
    expect(answered).toBe(1);
    const { Queue } = await import('bullmq');
    const { queuePrefix } = await import('../../config/queues');
    const conn = new Redis('redis://127.0.0.1:6379');
    const delivery = new Queue('delivery', { connection: conn, prefix: queuePrefix(prefix, 'delivery') });
    const jobs = await delivery.getJobs(['completed', 'active', 'wait', 'delayed', 'failed']);
    const states = await Promise.all(jobs.filter((j) => ('inboxes' in j.data ? j.data.inboxes : [j.data.inbox]).includes(inbox)).map((j) => j.getState()));
    await delivery.close();
    conn.disconnect();
    expect(states).toEqual(['completed']);
    const log = proc.output();
    expect(log.indexOf('shutting down')).toBeLessThan(log.indexOf('"msg":"stopped"'));
  } finally {
    slow.close();
    await deletePrefix('redis://127.0.0.1:6379', prefix);
  }
});

// Redis killed -9 while platform events pour in, then started again on its AOF (appendonly yes,
// appendfsync always): every event answered 202 is applied and delivered, and while Redis is
// down the answer is 503 problem+json with Retry-After, never a hang or a 500.
// The long run is `npm run durability:redis` (bench/durability-redis.ts).
import { Redis } from 'ioredis';
import { at, sendEvents } from '../support/platform-events';
import { runRedisCrashIntake } from '../support/redis-crash-intake';
import { DURABLE_REDIS_ARGS, createRedisChild } from '../support/redis-server';
import { startTestGateway } from '../support/test-gateway';

jest.setTimeout(180_000);

test('events posted across a Redis crash: every 202 is applied, the outage answers 503', async () => {
  const lines: string[] = [];
  const r = await runRedisCrashIntake({ crashes: 1, log: (l) => lines.push(l) });
  process.stdout.write(`redis-crash intake: ${JSON.stringify(r)}\n  ${lines.join('\n  ')}\n`);
  expect(r.other).toEqual([]);
  expect(r.unavailable).toBeGreaterThanOrEqual(8);
  expect(r.accepted).toBeGreaterThanOrEqual(100);
  expect(r.applied).toBe(r.accepted);
  expect(r.delivered).toBe(r.accepted);
});

test('a Redis that refuses writes (maxmemory reached under noeviction) answers 503 problem+json, not 500', async () => {
  const redis = await createRedisChild([...DURABLE_REDIS_ARGS, '--maxmemory', '4mb']);
  await redis.start();
  const filler = new Redis(redis.url);
  const gw = await startTestGateway({ env: { REDIS_URL: redis.url } });
  try {
    // Filled in small pieces until Redis refuses writes.
    const fill = async (bytes: number) => {
      for (let i = 0; await filler.set(`filler:${bytes}:${i}`, 'x'.repeat(bytes)).then(() => true, () => false); i++);
    };
    await fill(4096);
    await fill(1);
    await expect(filler.set('probe', '1')).rejects.toThrow(/OOM/);
    const res = await sendEvents(gw.url, { id: 'ev-oom', type: 'post.deleted', occurredAt: at(0), data: { postId: 'p', accountId: 'a' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
  } finally {
    filler.disconnect();
    await gw.close();
    await redis.remove();
  }
});

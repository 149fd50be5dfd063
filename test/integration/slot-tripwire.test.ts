// The slot tripwire (test/support/slot-tripwire.ts) every test gateway carries on the single
// Redis: it records a command, MULTI or pipeline whose keys a cluster would refuse (CROSSSLOT),
// and nothing that stays in one slot.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { watchSlots } from '../support/slot-tripwire';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const p = `t${randomBytes(4).toString('hex')}`;
afterAll(() => redis.quit());

test('records what spans slots, in one command, a MULTI or a pipeline', async () => {
  const seen: string[] = [];
  await redis.ping(); // connected: nothing waits in the offline queue (sent again, recorded twice)
  watchSlots(redis, seen);
  await redis.del(`${p}:a`, `${p}:b`);
  await redis.multi().get(`${p}:c`).get(`${p}:d`).exec();
  await redis.pipeline().get(`${p}:e`).get(`${p}:f`).exec();
  expect(seen).toEqual([`DEL ${p}:a ${p}:b`, `GET ${p}:c ... GET ${p}:d (one pipeline)`, `GET ${p}:e ... GET ${p}:f (one pipeline)`]);
});

test('records nothing for keys sharing a hash tag, or for separate commands', async () => {
  const seen: string[] = [];
  const other = redis.duplicate();
  watchSlots(other, seen);
  await other.del(`${p}:{x}:a`, `${p}:{x}:b`);
  await other.multi().get(`${p}:{y}:c`).get(`${p}:{y}:d`).exec();
  await other.eval("return redis.call('GET', KEYS[1])", 2, `${p}:{z}:1`, `${p}:{z}:2`);
  await Promise.all([other.get(`${p}:g`), other.get(`${p}:h`)]);
  expect(seen).toEqual([]);
  other.disconnect();
});

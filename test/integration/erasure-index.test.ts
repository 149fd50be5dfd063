// Per-account erasure indexes on the real Redis: members whose records have expired are dropped
// as new ones come, so an account that keeps being liked does not grow its index for ever.
import { Redis } from 'ioredis';
import { indexForErasure, indexedMembers } from '../../services/store/erasure-index';
import { deletePrefix } from '../support/test-gateway';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `terasure${Date.now().toString(36)}`;
const redis = new Redis(url);

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

async function members(key: string): Promise<string[]> {
  const all: string[] = [];
  for await (const page of indexedMembers(redis, key, 2)) all.push(...page);
  return all.sort();
}

test('adding indexes a member until its record expires and drops members already expired', async () => {
  const key = `${prefix}:idx`;
  // A member whose record expired a second ago, as a year-old like would have.
  await redis.zadd(key, Date.now() - 1000, 'like:old');
  const before = Date.now();
  await indexForErasure(redis, key, 'like:new', 3600);
  const after = Date.now();
  await indexForErasure(redis, key, 'announce:https://r.example/a/1', 3600);
  expect(await members(key)).toEqual(['announce:https://r.example/a/1', 'like:new']);
  const score = Number(await redis.zscore(key, 'like:new'));
  expect(score).toBeGreaterThanOrEqual(before + 3600 * 1000);
  expect(score).toBeLessThanOrEqual(after + 3600 * 1000);
  const ttl = await redis.ttl(key);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(3600);
});

test('every member is listed, across pages', async () => {
  const key = `${prefix}:many`;
  for (let i = 0; i < 25; i++) await indexForErasure(redis, key, `note:${i}`, 60);
  expect(await members(key)).toEqual(Array.from({ length: 25 }, (_, i) => `note:${i}`).sort());
});

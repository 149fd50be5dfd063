// The ledger of local likes, reposts and blocks on the real Redis: occurredAt order wins, and a
// retried event gets its first decision back (so deliveries lost to a crash are queued again).
import { Redis } from 'ioredis';
import { redisKeys } from '../../config/redis-keys';
import { interactionStore } from '../../services/store/interactions';
import { deletePrefix } from '../support/test-gateway';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `tledger${Date.now().toString(36)}`;
const redis = new Redis(url);
const ledger = interactionStore(redis, redisKeys(prefix));
const record = { activity: { id: 'https://gw.example/users/a/likes/1', type: 'Like', actor: 'https://gw.example/users/a', object: 'https://r.example/n/1' }, inboxes: ['https://r.example/inbox'], fanout: false };
const t = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s));

afterAll(async () => {
  redis.disconnect();
  await deletePrefix(url, prefix);
});

test('create, retried create, older delete, newer delete, then an older create', async () => {
  expect(await ledger.created('like', '1', 'acc-a', 'e1', t(10), record)).toEqual({ status: 'applied', action: 'create', record });
  expect(await ledger.created('like', '1', 'acc-a', 'e1', t(10), record)).toEqual({ status: 'replay', action: 'create', record });
  expect(await ledger.deleted('like', '1', 'acc-a', 'e0', t(5))).toEqual({ status: 'stale' });
  expect(await ledger.deleted('like', '1', 'acc-a', 'e2', t(20))).toEqual({ status: 'applied', action: 'undo', record });
  expect(await ledger.deleted('like', '1', 'acc-a', 'e2', t(20))).toEqual({ status: 'replay', action: 'undo', record });
  expect(await ledger.isStale('like', '1', t(15))).toBe(true);
  expect(await ledger.created('like', '1', 'acc-a', 'e3', t(15), record)).toEqual({ status: 'stale' });
});

test('a delete with nothing active changes nothing remotely; a later create after an undo sends again', async () => {
  expect(await ledger.deleted('repost', '2', 'acc-a', 'd1', t(10))).toEqual({ status: 'applied', action: 'none' });
  expect(await ledger.created('repost', '2', 'acc-a', 'c1', t(5), record)).toEqual({ status: 'stale' });
  expect(await ledger.created('repost', '2', 'acc-a', 'c2', t(30), record)).toEqual({ status: 'applied', action: 'create', record });
  expect(await ledger.created('repost', '2', 'acc-a', 'c3', t(40), record)).toEqual({ status: 'applied', action: 'none', record });
});

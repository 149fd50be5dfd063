// The tests' hash slot function (test/support/key-slot.ts), which the slot tripwire relies on:
// Redis Cluster's own reference values and hash tag rules. (The cluster test also compares it
// with CLUSTER KEYSLOT on a real cluster.)
import { redisKeys } from '../../config/redis-keys';
import { keySlot } from '../support/key-slot';

test('CRC16/XMODEM mod 16384, as the cluster specification gives it', () => {
  expect(keySlot('123456789')).toBe(12739);
  expect(keySlot('foo')).toBe(12182);
});

test('only the first non-empty {…} counts', () => {
  expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  // An empty first {} means no tag: the whole key is hashed, so what follows it counts.
  expect(keySlot('foo{}{bar}')).not.toBe(keySlot('foo{}{baz}'));
  expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  expect(keySlot('a{b')).not.toBe(keySlot('b'));
});

test('the keys an account, a post, an activity id or a domain uses together share a slot', () => {
  const k = redisKeys('fg');
  const id = 'acc-}{odd';
  const account = [k.account(id), k.accountKeys(id), k.followers(id), k.followRequests(id), k.following(id), k.blocks(id), k.blockedInboxes(id),
    k.accountInboxes(id), k.accountPosts(id), k.outbox(id), k.accountInteractions(id), k.accountInboundReactions(id), k.accountRemoteNotes(id)];
  expect(new Set(account.map(keySlot)).size).toBe(1);
  expect(keySlot(k.post('p-1'))).toBe(keySlot(k.postReceipts('p-1')));
  const act = 'https://remote.example/likes/{1}';
  expect(new Set([k.undoneInteraction(act), k.remoteLike(act), k.remoteAnnounce(act), k.remoteFollow(act)].map(keySlot)).size).toBe(1);
  expect(new Set([k.domainFailureDays('A.example'), k.domainBreakerFailures('a.example'), k.domainBreakerOpen('a.EXAMPLE')].map(keySlot)).size).toBe(1);
  // Different accounts spread: not every account in one slot.
  expect(new Set(Array.from({ length: 20 }, (_, i) => keySlot(k.followers(`acc-${i}`)))).size).toBeGreaterThan(10);
});

// Writes that span hash slots (a record and another entity's reverse index, a profile and its
// username) are ordered steps so they run on a Redis Cluster (README "Redis Cluster"). Each test
// holds one step of one side back, on the real Redis, so the other side runs whole in between
// (or the step fails, as a crash would), and checks the order still leaves things right.
import type { Account } from '../../services/platform/event-schemas';
import { blockStore } from '../../services/store/blocks';
import { followerStore } from '../../services/store/followers';
import { followingStore } from '../../services/store/following';
import type { RedisClient } from '../../services/store/redis';
import { accountData } from '../support/platform-events';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway({ workers: false }); });
afterAll(() => gw.close());

/** The gateway's client with one command held at its next call, until released. */
function holding(command: string) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const atStep = new Promise<void>((r) => (reached = r));
  let held = false;
  const client = new Proxy(gw.g.redis, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== command || held) return value.bind(target);
      return async (...args: unknown[]) => {
        held = true;
        reached();
        await released;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as RedisClient;
  return { client, atStep, release };
}

/** The gateway's client on which `command` fails, as if the process died there. */
const failing = (command: string) =>
  new Proxy(gw.g.redis, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === command) return () => { throw new Error(`${command}: a crash`); };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as RedisClient;

const follower = (name: string) => ({ actor: `https://remote.example/users/${name}`, inbox: `https://remote.example/users/${name}/inbox`, followId: `https://remote.example/follows/${name}`, since: new Date(0).toISOString() });

test('a Follow stored between a removal\'s steps keeps its reverse index entry', async () => {
  const r = follower('between');
  const h = holding('srem');
  const removal = followerStore(h.client, gw.g.keys).remove('acc-s1', r.actor);
  await h.atStep; // the removal dropped the (absent) record and waits to unindex
  await gw.g.followers.add('acc-s1', r);
  h.release();
  expect(await removal).toBe('none');
  expect(await gw.g.followers.get('acc-s1', r.actor)).toMatchObject({ actor: r.actor });
  expect(await gw.g.followers.accountsFollowedBy(r.actor)).toEqual(['acc-s1']);
});

const outbound = (n: string) => ({ target: `https://remote.example/users/${n}`, followId: `f-${n}`, activityId: `https://gw.example/activities/${n}/follow`, inbox: `https://remote.example/users/${n}/inbox`, since: new Date(0).toISOString() });

test('an unfollow run whole between an Accept\'s record and its index entry: the entry goes', async () => {
  const f = outbound('acc-between');
  await gw.g.following.request('acc-s2', f);
  const h = holding('sadd');
  const accepting = followingStore(h.client, gw.g.keys).accept('acc-s2', f.target);
  await h.atStep; // accepted in the record, about to index
  await gw.g.following.remove('acc-s2', f.target);
  h.release();
  await accepting;
  expect(await gw.g.following.get('acc-s2', f.target)).toBeUndefined();
  expect(await gw.g.following.localFollowersOf(f.target)).toEqual([]);
});

test('an Accept run whole between an unfollow\'s first unindexing and the record\'s removal: the entry goes', async () => {
  const f = outbound('rem-between');
  await gw.g.following.request('acc-s3', f);
  const h = holding('hdel');
  const removal = followingStore(h.client, gw.g.keys).remove('acc-s3', f.target);
  await h.atStep; // unindexed once, the record still there
  await gw.g.following.accept('acc-s3', f.target);
  h.release();
  await removal;
  expect(await gw.g.following.get('acc-s3', f.target)).toBeUndefined();
  expect(await gw.g.following.localFollowersOf(f.target)).toEqual([]);
});

test('an unblock that crashed between its steps is finished by its retry', async () => {
  const block = { actor: 'https://remote.example/users/troll', inbox: 'https://remote.example/users/troll/inbox', blockId: 'b-1', since: new Date(0).toISOString() };
  await gw.g.blocks.add('acc-s4', block);
  expect(await gw.g.blocks.blockersOf(block.actor)).toEqual(new Set(['acc-s4']));
  // The process dies between the two steps: unindexed first, the record left for the retry.
  await expect(blockStore(failing('multi'), gw.g.keys).remove('acc-s4', block.actor)).rejects.toThrow('a crash');
  expect(await gw.g.blocks.blockersOf(block.actor)).toEqual(new Set());
  expect(await gw.g.blocks.has('acc-s4', block.actor)).toBe(true);
  // Unindexed, the record left: the retry (the ledger replays the unblock) finds it and finishes.
  expect(await gw.g.blocks.remove('acc-s4', block.actor)).toEqual(block);
  expect(await gw.g.blocks.has('acc-s4', block.actor)).toBe(false);
  expect(await gw.g.blocks.blockersOf(block.actor)).toEqual(new Set());
});

test('a username goes with the newest profile naming it, whichever account\'s event applies last', async () => {
  const profile = (id: string, username: string, displayName = username) => accountData(id, username, { displayName }) as unknown as Account;
  // On the platform: acc-old is "shared" (t1000, t2000), renamed (t2500); acc-new takes "shared" (t3000).
  expect(await gw.g.accounts.save(profile('acc-old', 'shared'), new Date(1000), true)).toBe('saved');
  expect(await gw.g.accounts.save(profile('acc-new', 'shared'), new Date(3000), true)).toBe('saved');
  // acc-old's own events arrive late: newer than its stored profile, older than acc-new's claim.
  expect(await gw.g.accounts.save(profile('acc-old', 'shared', 'late'), new Date(2000), false)).toBe('saved');
  expect(await gw.g.accounts.save(profile('acc-old', 'renamed'), new Date(2500), false)).toBe('saved');
  expect((await gw.g.accounts.getByUsername('shared'))?.account.id).toBe('acc-new');
  expect((await gw.g.accounts.getByUsername('renamed'))?.account.id).toBe('acc-old');
});

test('a profile whose username claim was lost (a crash between the two) claims it on the retry', async () => {
  const account = accountData('acc-retry', 'retrying') as unknown as Account;
  expect(await gw.g.accounts.save(account, new Date(5000), true)).toBe('saved');
  // As if the process had died after the profile script, before the claim.
  await gw.g.redis.unlink(gw.g.keys.username('retrying'));
  expect(await gw.g.accounts.idByUsername('retrying')).toBeUndefined();
  // The event's retry is a replay of the same version: it claims the name again.
  expect(await gw.g.accounts.save(account, new Date(5000), true)).toBe('saved');
  expect(await gw.g.accounts.idByUsername('retrying')).toBe('acc-retry');
});

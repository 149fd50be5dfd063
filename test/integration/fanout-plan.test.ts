// A fan-out's plan: a shared inbox that turns up on many follower pages gets the activity once,
// and a fan-out retried after a crash queues the batches it planned but may not have queued.
import { addRemoteFollower, enableAccount } from '../support/fixtures-setup';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
let remote: RemoteServer;
let personal: RemoteServer;

beforeAll(async () => {
  remote = await startRemoteServer();
  personal = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { DELIVERY_BATCH_SIZE: '3' } });
});

afterAll(async () => {
  await gw.close();
  await remote.close();
  await personal.close();
});

test('a shared inbox on every follower page, beside personal inboxes: one POST there, one to each of the others', async () => {
  await enableAccount(gw, 'a-plan', 'planner');
  const p = gw.g.redis.pipeline();
  // Pages of ~1,000 followers mix the shared inbox with different personal inboxes, so every
  // page's batches differ: only the plan keeps the shared inbox from a batch on each page.
  for (let i = 0; i < 2400; i++) {
    const actor = `${i % 2 ? remote.origin : personal.origin}/users/f${i}`;
    const record = i % 2 ? { sharedInbox: `${remote.origin}/inbox` } : {};
    p.hset(gw.g.keys.followers('a-plan'), actor, JSON.stringify({ actor, inbox: `${actor}/inbox`, ...record, followId: `${actor}#follow`, since: at(0) }));
  }
  await p.exec();
  await addRemoteFollower(gw, 'a-plan', remote, 'bob');
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-plan', 'a-plan') } });
  await eventually(() => remote.received.some((r) => r.json.type === 'Create'), 'the Create');
  const fanouts = await eventually(async () => {
    const done = (await gw.g.queues.fanout.getJobs(['completed'])).filter((j) => j.data.postStep?.postId === 'p-plan');
    return done.length === 1 ? done : undefined;
  }, 'the fan-out done', 60_000);
  expect(fanouts[0]!.returnvalue).toEqual({ inboxes: expect.any(Number) });
  await new Promise((r) => setTimeout(r, 300));
  expect(remote.received.filter((r) => r.json.type === 'Create')).toHaveLength(1);
  await eventually(() => personal.received.length >= 1200, 'every personal inbox', 60_000);
  await new Promise((r) => setTimeout(r, 300));
  expect(new Set(personal.received.map((r) => r.path)).size).toBe(1200);
  expect(personal.received).toHaveLength(1200);
  // The plan is dropped once every batch is queued.
  expect(await gw.g.redis.exists(gw.g.keys.fanoutPlan(fanouts[0]!.data.activityId))).toBe(0);
}, 120_000);

test('a page planned again plans nothing new; a retry gets back the batches planned before', async () => {
  const plans = gw.g.fanoutPlans;
  const inboxes = ['https://a.example/inbox', 'https://b.example/inbox', 'https://c.example/inbox', 'https://d.example/inbox'];
  const first = await plans.plan('act-plan-1', inboxes, 3, false);
  expect(first).toEqual([
    { n: '1', inboxes: inboxes.slice(0, 3) },
    { n: '2', inboxes: inboxes.slice(3) },
  ]);
  // The same inboxes on a later page of the same fan-out: nothing more to queue.
  expect(await plans.plan('act-plan-1', [inboxes[1]!, inboxes[3]!], 3, false)).toEqual([]);
  // The fan-out crashed before queueing: its retry finds both batches again, and plans the new inbox.
  expect(await plans.plan('act-plan-1', [...inboxes, 'https://e.example/inbox'], 3, true)).toEqual([
    { n: '1', inboxes: inboxes.slice(0, 3) },
    { n: '2', inboxes: inboxes.slice(3) },
    { n: '3', inboxes: ['https://e.example/inbox'] },
  ]);
  await plans.drop('act-plan-1');
});

// The following store against real Redis: an Accept (accept()) racing the end of the follow
// (remove(): unfollow, block, Reject) never brings the follow back.
import { type TestGateway, startTestGateway } from '../support/test-gateway';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway({ workers: false }); });
afterAll(() => gw.close());

test('an Accept processed while the follow is being removed does not resurrect it', async () => {
  const resurrected: string[] = [];
  for (let i = 0; i < 200; i++) {
    const target = `https://remote.example/users/t${i}`;
    await gw.g.following.request('acc-a', { target, followId: `f-${i}`, activityId: `https://gw.example/activities/${i}/follow`, inbox: `${target}/inbox`, since: new Date(0).toISOString() });
    await Promise.all([gw.g.following.remove('acc-a', target), gw.g.following.accept('acc-a', target)]);
    const left = (await gw.g.following.get('acc-a', target)) !== undefined || (await gw.g.following.localFollowersOf(target)).includes('acc-a');
    if (left) resurrected.push(target);
  }
  expect(resurrected).toEqual([]);
});

test('accept() marks a pending follow accepted and indexes it; one of no follow changes nothing', async () => {
  const target = 'https://remote.example/users/kept';
  const requested = await gw.g.following.request('acc-b', { target, followId: 'f-kept', activityId: 'https://gw.example/activities/kept/follow', inbox: `${target}/inbox`, sharedInbox: 'https://remote.example/inbox', since: '2026-11-01T10:00:00.000Z' });
  expect(requested.state).toBe('pending');
  const accepted = { ...requested, state: 'accepted' };
  expect(await gw.g.following.accept('acc-b', target)).toEqual(accepted);
  expect(await gw.g.following.get('acc-b', target)).toEqual(accepted);
  expect(await gw.g.following.localFollowersOf(target)).toEqual(['acc-b']);
  expect(await gw.g.following.accept('acc-b', 'https://remote.example/users/never')).toBeUndefined();
  expect(await gw.g.following.localFollowersOf('https://remote.example/users/never')).toEqual([]);
});

test('Accepts processed while an account that leaves has its follows ended do not bring any back', async () => {
  const targets = Array.from({ length: 300 }, (_, i) => `https://remote.example/users/leaving-${i}`);
  for (const [i, target] of targets.entries()) {
    await gw.g.following.request('acc-leaving', { target, followId: `fl-${i}`, activityId: `https://gw.example/activities/l${i}/follow`, inbox: `${target}/inbox`, since: new Date(0).toISOString() });
  }
  // The Accepts come one after another while the follows are being ended, so some land between its steps.
  const accepts = (async () => { for (const t of targets) await gw.g.following.accept('acc-leaving', t); })();
  await Promise.all([gw.g.following.removeAll('acc-leaving'), accepts]);
  const resurrected: string[] = [];
  for (const t of targets) if ((await gw.g.following.localFollowersOf(t)).includes('acc-leaving')) resurrected.push(t);
  expect({ count: await gw.g.following.count('acc-leaving'), resurrected }).toEqual({ count: 0, resurrected: [] });
  for (const [i] of targets.entries()) expect(await gw.g.following.byFollowId(`fl-${i}`)).toBeUndefined();
});

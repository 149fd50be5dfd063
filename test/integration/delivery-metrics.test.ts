// The operator's view by class of server: deliveries and their POST times carry the receiving
// domain's class (DELIVERY_DOMAIN_CLASSES, else "other"), and callbacks record their lag from
// being queued to the platform taking them.
import { type Rig, addRemoteFollower, enableAccount, startRig } from '../support/fixtures-setup';
import type { PlatformSink } from '../support/platform-sink';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import type { RemoteServer } from '../support/remote-server';
import { type TestGateway, eventually } from '../support/test-gateway';

let remote: RemoteServer;
let sink: PlatformSink;
let gw: TestGateway;
let rig: Rig;

beforeAll(async () => {
  // The loopback servers' host is named "large"; nothing else is listed.
  rig = await startRig((r) => ({ DELIVERY_DOMAIN_CLASSES: `large=${new URL(r.origin).hostname};relay=relay.example` }));
  ({ remote, sink, gw } = rig);
  await enableAccount(gw, 'acc-metrics', 'metrics');
});
afterAll(() => rig.close());

// A histogram's values carry the sample name (_bucket, _sum, _count), untyped in prom-client.
type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };
const values = async (name: string) => (await gw.g.metrics.registry.getSingleMetric(name)!.get()).values as Sample[];

test('a delivery is counted and timed under its domain\'s class', async () => {
  await addRemoteFollower(gw, 'acc-metrics', remote);
  await sendEvents(gw.url, { id: eventId('c'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-metrics', 'acc-metrics') } });
  await eventually(() => remote.received.some((r) => r.json.type === 'Create'), 'the Create delivered');
  await eventually(async () => (await values('fedigate_deliveries_total')).some((v) => v.labels.outcome === 'delivered'), 'the delivery counted');
  const delivered = (await values('fedigate_deliveries_total')).filter((v) => v.labels.outcome === 'delivered');
  expect(delivered.map((v) => v.labels.domain_class)).toEqual(['large']);
  const timed = (await values('fedigate_delivery_seconds')).filter((v) => v.metricName === 'fedigate_delivery_seconds_count');
  expect(timed).toEqual([expect.objectContaining({ labels: { domain_class: 'large' }, value: delivered[0]!.value })]);
});

test('a callback the platform took has its lag recorded', async () => {
  const follow = { id: `${remote.actorUri('carol')}#follows/1`, type: 'Follow', actor: remote.actorUri('carol'), object: `${gw.url}/users/metrics` };
  expect((await remote.post(`${gw.url}/inbox`, follow, { as: 'carol' })).status).toBe(202);
  await eventually(() => sink.callbacks.some((c) => c.type === 'fediverse.follower.added'), 'the follower callback');
  await eventually(async () => ((await values('fedigate_callback_lag_seconds')).find((v) => v.metricName === 'fedigate_callback_lag_seconds_count')?.value ?? 0) >= 1, 'the lag observed');
  const sum = (await values('fedigate_callback_lag_seconds')).find((v) => v.metricName === 'fedigate_callback_lag_seconds_sum')!.value;
  expect(sum).toBeGreaterThan(0);
});

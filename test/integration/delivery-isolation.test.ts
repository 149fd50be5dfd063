// One hung server cannot hold back deliveries to healthy ones. Through the real queue and
// workers (4 delivery slots, at most 2 in flight per domain): many deliveries to a black-hole
// inbox (accepts, never answers) queued ahead of many to a healthy inbox. Every healthy delivery
// completes while every black-hole one is still pending, and the black hole never holds more
// than the per-domain limit of connections (the rest yielded their worker slots).
import { enqueueDeliveries } from '../../services/federation/enqueue';
import { type BlackHole, startBlackHole } from '../support/black-hole';
import { accountData, at, eventId, sendEvents } from '../support/platform-events';
import { type RemoteServer, startRemoteServer } from '../support/remote-server';
import { type TestGateway, eventually, startTestGateway } from '../support/test-gateway';

const PER_DOMAIN = 2;
const EACH = 20;
let gw: TestGateway;
let hole: BlackHole;
let healthy: RemoteServer;

beforeAll(async () => {
  hole = await startBlackHole();
  healthy = await startRemoteServer();
  gw = await startTestGateway({ workers: true, env: { DELIVERY_CONCURRENCY: '4', DELIVERY_DOMAIN_CONCURRENCY: String(PER_DOMAIN) } });
  await sendEvents(gw.url, { id: eventId('en'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-iso', 'iso') } });
  await eventually(async () => (await fetch(`${gw.url}/users/iso`, { headers: { accept: 'application/activity+json' } })).status === 200, 'iso published');
});

afterAll(async () => {
  // Let the hung requests end (as network errors) so the workers can close.
  hole.release();
  await gw.close();
  await hole.close();
  await healthy.close();
});

async function queue(inbox: string, label: string) {
  for (let i = 0; i < EACH; i++) {
    const id = `${gw.url}/activities/${label}-${i}`;
    await gw.g.activities.save({ '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Note', actor: `${gw.url}/users/iso`, content: label } as { id: string });
    await enqueueDeliveries(gw.g, id, { accountId: 'a-iso' }, [inbox]);
  }
}

test('every healthy delivery completes while the black-hole ones are still pending', async () => {
  const holeInbox = `${hole.origin}/inbox`;
  await queue(holeInbox, 'hole');
  await queue(`${healthy.origin}/inbox`, 'ok');
  await eventually(() => healthy.received.length === EACH, 'every healthy delivery', 20000);

  const jobs = await gw.g.queues.delivery.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed']);
  const states = await Promise.all(jobs.filter((j) => 'inbox' in j.data && j.data.inbox === holeInbox).map((j) => j.getState()));
  expect(states).toHaveLength(EACH);
  expect(states.filter((s) => s === 'completed' || s === 'failed')).toEqual([]);
  // No more than the per-domain limit ever reached the black hole; the others stepped aside.
  expect(hole.maxOpen()).toBeLessThanOrEqual(PER_DOMAIN);
  expect(hole.accepted()).toBeGreaterThan(0);
  const deferred = (await gw.g.metrics.registry.metrics()).split('\n').find((l) => l.startsWith('fedigate_deliveries_deferred_total{reason="domain_busy"}'));
  expect(Number(deferred?.split(' ')[1] ?? 0)).toBeGreaterThan(0);
});

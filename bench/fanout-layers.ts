// Fan-out by layers, to see where the gap between bench:fanout-ceiling and bench:fanout goes:
// the same deliveries to the same 20 loopback servers from inside a gateway process, 100 in
// flight, each layer beside raw signing sampled during it (bench/support/raw-sign.ts):
//   ceiling   the gateway's signing and POST alone
//   guards    deliverToInbox: account and domain blocks, breaker, per-domain slot, scheme, health
//   receipts  deliverInOrder over batches of 20: a post's Create claimed and settled per inbox
//   queue     the same batches as BullMQ delivery jobs run by the process's workers
//             (DELIVERY_CONCURRENCY jobs at once, 50 by default as in production)
// What bench:fanout adds on top of the last is event intake and fan-out planning.
// Run: npm run bench:fanout-layers  (DELIVERIES=10000, ROUNDS=3 per layer, IN_FLIGHT=100: a
// multiple of 20, for the first three layers).
import { deliverToInbox, prepareActivity } from '../services/federation/deliver-inbox';
import { deliverInOrder } from '../services/federation/ordered-delivery';
import { postForStatus } from '../services/remote/post-for-status';
import { signCavageRequest } from '../services/signatures/cavage-sign';
import { startFollowerInboxes } from './support/inboxes';
import { enableAccount } from './support/platform';
import { runBench } from './support/processes';
import { type RawSigningSample, sampleRawSigning } from './support/raw-sign';
import { startTestGateway } from '../test/support/test-gateway';

const SERVERS = 20;
const DELIVERIES = Number(process.env.DELIVERIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 100);
const BATCH = 20;

async function main() {
  const { origins } = await startFollowerInboxes(SERVERS);
  const gw = await startTestGateway({ workers: true, slotTripwire: false, env: { DELIVERY_CONCURRENCY: process.env.DELIVERY_CONCURRENCY ?? '50' } });
  await enableAccount(gw.url, 'bench', 'bench');
  const activityId = `${gw.url}/activities/layers`;
  await gw.g.activities.save({ id: activityId, actor: `${gw.url}/users/bench`, type: 'Create', object: { type: 'Note', content: 'x'.repeat(600) } } as { id: string; actor: string });
  const job = { activityId, signer: { accountId: 'bench' } };
  const prepared = await prepareActivity(gw.g, job);
  if (!('body' in prepared)) throw new Error('the bench activity was not stored');
  // Each round its own inbox paths, so no round's receipts or caches serve another.
  const inbox = (n: number, round: number) => `${origins[n % SERVERS]}/r${round}/u${n}/inbox`;
  // Each layer runs IN_FLIGHT / size loops, each taking the next `size` deliveries until all are done.
  const layers: Record<string, { size: number; run: (first: number, round: number) => Promise<unknown> }> = {
    ceiling: {
      size: 1,
      run: async (n, round) => {
        const url = new URL(inbox(n, round));
        const headers = signCavageRequest({ method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'user-agent': gw.g.userAgent }, body: prepared.body }, prepared.key);
        await postForStatus(gw.g.agent, url, headers, prepared.body);
      },
    },
    guards: { size: 1, run: (n, round) => deliverToInbox(gw.g, job, prepared, inbox(n, round)) },
    receipts: {
      size: BATCH,
      run: (first, round) => {
        const inboxes = Array.from({ length: BATCH }, (_, k) => inbox(first + k, round));
        return deliverInOrder(gw.g, { postId: `layers-${round}`, step: 'create' }, inboxes, (i) => deliverToInbox(gw.g, job, prepared, i));
      },
    },
  };
  const report = (name: string, stopSampling: () => RawSigningSample, t0: bigint, cpu0: NodeJS.CpuUsage) => {
    const raw = stopSampling();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9 - raw.seconds;
    const cpu = process.cpuUsage(cpu0);
    console.log(`  ${name.padEnd(9)} raw crypto.sign ${Math.round(raw.rate)}/s (sampled during), delivered ${Math.round(DELIVERIES / seconds)}/s, ratio ${(DELIVERIES / seconds / raw.rate).toFixed(2)}; process CPU ${Math.round((cpu.user + cpu.system - raw.cpuMicros) / DELIVERIES)} µs per delivery`);
  };
  console.log(`fan-out by layers: ${DELIVERIES} deliveries to ${SERVERS} loopback servers (child process), ${IN_FLIGHT} in flight, inside a gateway process; ${ROUNDS} rounds per layer, alternating; then the queue layer, ${gw.g.config.deliveryConcurrency} jobs at once`);
  let round = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, layer] of Object.entries(layers)) {
      round++;
      if (name === 'receipts') await gw.g.postReceipts.queueCreate(`layers-${round}`, Array.from({ length: DELIVERIES }, (_, n) => inbox(n, round)));
      let next = 0;
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const raw = sampleRawSigning(prepared.key.privateKey);
      await Promise.all(Array.from({ length: IN_FLIGHT / layer.size }, async () => {
        while (next < DELIVERIES) {
          const first = next;
          next += layer.size;
          await layer.run(first, round);
        }
      }));
      report(name, raw, t0, cpu0);
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    round++;
    const postId = `layers-${round}`;
    await gw.g.postReceipts.queueCreate(postId, Array.from({ length: DELIVERIES }, (_, n) => inbox(n, round)));
    const jobs = Array.from({ length: DELIVERIES / BATCH }, (_, b) => ({
      name: 'deliver-batch',
      data: { ...job, postStep: { postId, step: 'create' as const }, inboxes: Array.from({ length: BATCH }, (_, k) => inbox(b * BATCH + k, round)) },
      opts: { jobId: `${postId}-${b}` },
    }));
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const raw = sampleRawSigning(prepared.key.privateKey);
    for (let i = 0; i < jobs.length; i += 50) await gw.g.queues.delivery.addBulk(jobs.slice(i, i + 50));
    while (Object.values(await gw.g.queues.delivery.getJobCounts('active', 'waiting', 'delayed', 'prioritized')).some((c) => c > 0)) await new Promise((r) => setTimeout(r, 5));
    report('queue', raw, t0, cpu0);
  }
  await gw.close();
}

runBench(main);

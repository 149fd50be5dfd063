// Worker processes killed -9 mid-work: nothing they held is lost. A delivery in flight survives
// more crashes than BullMQ's default allows (maxStalledCount 1), and a fan-out whose workers are
// all killed and restarted three times still reaches every inbox (duplicates are counted).
// The long run is `npm run durability:fanout` (bench/durability-fanout.ts).
import { rmSync } from 'node:fs';
import { startCountingInboxes } from '../support/counting-inboxes';
import { runKilledFanout } from '../support/killed-fanout';
import { enableAccount } from '../support/fixtures-setup';
import { at, eventId, postData, sendEvents } from '../support/platform-events';
import { eventually, startTestGateway } from '../support/test-gateway';
import { emptyDir, startWorker, workerEnv } from '../support/worker-processes';

jest.setTimeout(180_000);

test('a delivery whose worker is killed -9 three times while it is in flight still arrives', async () => {
  const inboxes = await startCountingInboxes(1);
  const gw = await startTestGateway({ workers: false });
  const cwd = emptyDir();
  const env = workerEnv(gw, { WORKER_LOCK_MS: '2000', WORKER_STALLED_CHECK_MS: '1000' });
  let worker = await startWorker(env, cwd);
  try {
    await enableAccount(gw, 'a-held', 'held');
    const actor = `${inboxes.origins[0]}/users/slow`;
    const inbox = `${actor}/inbox`;
    await gw.g.followers.add('a-held', { actor, inbox, followId: `${actor}#follow`, since: at(0) });
    // The inbox holds every POST unanswered: the delivery is in flight when its worker dies.
    inboxes.hold.add(inbox);
    await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-held', 'a-held') } });
    for (let kill = 1; kill <= 3; kill++) {
      await eventually(() => inboxes.receipts.get(inbox) === kill, `POST ${kill} in flight`, 60_000);
      await worker.stop('SIGKILL');
      worker = await startWorker(env, cwd);
    }
    // The fourth worker gets the job back (it stalled three times) and is answered.
    await eventually(() => inboxes.receipts.get(inbox) === 4, 'POST 4 after three crashes', 60_000);
    inboxes.release();
    await eventually(() => inboxes.acknowledged.get(inbox) === 1, 'the delivery acknowledged');
    await eventually(async () => (await gw.g.queues.delivery.getJobCounts('completed')).completed! >= 1, 'the delivery job completed');
    expect((await gw.g.queues.delivery.getJobCounts('failed')).failed).toBe(0);
  } finally {
    await worker.stop('SIGKILL');
    await gw.close();
    await inboxes.close();
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('2,000-delivery fan-out, 2 worker processes killed -9 and restarted 3 times: every inbox gets the post', async () => {
  const lines: string[] = [];
  const result = await runKilledFanout({ deliveries: 2000, workers: 2, killRounds: 3, log: (l) => lines.push(l) });
  process.stdout.write(`worker-crash fan-out: ${JSON.stringify(result)}\n  ${lines.join('\n  ')}\n`);
  expect(result.kills).toBe(6);
  // At least once, not exactly once: a POST a kill interrupted before its job was marked done is
  // sent again, so duplicates are reported, not asserted.
  expect(result.inboxesReached).toBe(2000);
});

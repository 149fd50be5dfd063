// A fan-out whose worker processes are killed -9 and restarted while it runs: one post to N
// distinct loopback inboxes, then the receipts per inbox. Shared by the CI test
// (test/integration/worker-crash.test.ts) and the long run (bench/durability-fanout.ts).
import { rmSync } from 'node:fs';
import type { Queue } from 'bullmq';
import { startCountingInboxes } from './counting-inboxes';
import { accountData, at, eventId, postData, sendEvents } from './platform-events';
import type { GatewayProcess } from './spawn-gateway';
import { eventually, startTestGateway } from './test-gateway';
import { emptyDir, startWorker, workerEnv } from './worker-processes';

export interface KilledFanoutOptions {
  deliveries: number;
  workers: number;
  /** rounds of kill -9 of every worker, then restart, spread evenly over the fan-out */
  killRounds: number;
  servers?: number;
  /** lock and stalled check of the workers: how soon a killed worker's jobs come back */
  lockMs?: number;
  stalledCheckMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface KilledFanoutResult {
  deliveries: number;
  /** distinct inboxes that received the post at least once */
  inboxesReached: number;
  /** POSTs beyond the first per inbox */
  duplicates: number;
  /** inboxes that received it more than once */
  inboxesWithDuplicates: number;
  /** worker processes killed with SIGKILL */
  kills: number;
  seconds: number;
}

const idle = async (counts: Array<Promise<Record<string, number>>>) =>
  (await Promise.all(counts)).every((c) => (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0);

export async function runKilledFanout(o: KilledFanoutOptions): Promise<KilledFanoutResult> {
  const log = o.log ?? (() => undefined);
  const servers = o.servers ?? 20;
  const inboxes = await startCountingInboxes(servers);
  const gw = await startTestGateway({ workers: false });
  const cwd = emptyDir();
  const env = workerEnv(gw, { WORKER_LOCK_MS: String(o.lockMs ?? 2000), WORKER_STALLED_CHECK_MS: String(o.stalledCheckMs ?? 1000) });
  let workers: GatewayProcess[] = [];
  const startAll = async () => (workers = await Promise.all(Array.from({ length: o.workers }, () => startWorker(env, cwd))));
  try {
    await startAll();
    await sendEvents(gw.url, { id: eventId('enable'), type: 'account.enabled', occurredAt: at(0), data: { account: accountData('a-crash', 'crash') } });
    await eventually(async () => (await gw.g.accounts.get('a-crash'))?.state === 'enabled', 'the account enabled', 30_000);
    // Distinct personal inboxes, no shared inbox: one delivery per follower.
    const expected: string[] = [];
    for (let start = 0; start < o.deliveries; start += 1000) {
      const pipeline = gw.g.queueRedis.pipeline();
      for (let i = start; i < Math.min(o.deliveries, start + 1000); i++) {
        const origin = inboxes.origins[i % servers]!;
        const actor = `${origin}/users/u${i}`;
        expected.push(`${actor}/inbox`);
        pipeline.hset(gw.g.keys.followers('a-crash'), actor, JSON.stringify({ actor, inbox: `${actor}/inbox`, followId: `${origin}/follows/${i}`, since: at(0) }));
      }
      await pipeline.exec();
    }
    log(`${o.deliveries} followers on ${servers} loopback servers; ${o.workers} worker processes; ${o.killRounds} kill rounds`);

    const t0 = Date.now();
    const posted = await sendEvents(gw.url, { id: eventId('post'), type: 'post.created', occurredAt: at(1), data: { post: postData('p-crash', 'a-crash') } });
    if (posted.status !== 202) throw new Error(`post.created answered ${posted.status}`);
    let kills = 0;
    for (let round = 1; round <= o.killRounds; round++) {
      const threshold = Math.floor((o.deliveries * round) / (o.killRounds + 1));
      await eventually(() => inboxes.receipts.size >= threshold, `${threshold} inboxes reached before kill round ${round}`, o.timeoutMs ?? 120_000);
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      kills += workers.length;
      log(`round ${round}: killed ${workers.length} workers at ${inboxes.receipts.size} inboxes reached (${inboxes.total()} POSTs)`);
      await startAll();
    }
    await eventually(() => inboxes.receipts.size >= o.deliveries, 'every inbox reached', o.timeoutMs ?? 120_000);
    const seconds = (Date.now() - t0) / 1000;
    // Jobs a kill interrupted after their POST come back once more: wait until none is left.
    const queues: Queue[] = Object.values(gw.g.queues);
    await eventually(() => idle(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'))), 'the queues to drain', o.timeoutMs ?? 120_000);
    const counts = expected.map((inbox) => inboxes.receipts.get(inbox) ?? 0);
    return {
      deliveries: o.deliveries,
      inboxesReached: counts.filter((n) => n > 0).length,
      duplicates: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      inboxesWithDuplicates: counts.filter((n) => n > 1).length,
      kills,
      seconds,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await gw.close();
    await inboxes.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

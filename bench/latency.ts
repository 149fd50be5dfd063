// Latency at light load: from a post.created answered 202 to its Create arriving at a follower's
// inbox, p50 and p99 over POSTS posts sent at RATE per second (one follower, so one delivery per
// post). Baseline in the same run, interleaved post for post: bench/peers/baseline-intake.ts in
// relay mode, which accepts the event durably (HMAC, JSON.parse, XADD, 202) and then signs and
// POSTs the Create at once: the same work with no queue between accepting and sending. The gap
// is the gateway's queue hops (event job, fan-out job, delivery job) and what each one reads.
// The gateway runs in `all` mode in a child process; the inbox is in this process (light load).
// Run: npm run bench:latency  (POSTS, RATE)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { jobIdOf } from '../services/queue/jobs';
import { eventJobId } from '../services/platform/intake';
import { quantile } from './support/load';
import { addFollowers, enableAccount, eventsRequest, postCreated } from './support/platform';
import { REDIS_URL, forkChild, gatewaySetup, nextMessage, onCleanup, runBench, until } from './support/processes';
import { openQueue } from './support/queues';

const POSTS = Number(process.env.POSTS ?? 200);
const RATE = Number(process.env.RATE ?? 20);
const WARM = 40;

type SideName = 'gateway' | 'baseline';

async function main() {
  // Arrival times by side and post id (the last segment of the Create's object id).
  const arrived: Record<SideName, Map<string, number>> = { gateway: new Map(), baseline: new Map() };
  /** the gateway's Create id per post, to find its jobs */
  const activityIds = new Map<string, string>();
  const inbox = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(202).end();
      const side: SideName = req.url === '/gw/inbox' ? 'gateway' : 'baseline';
      const create = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string; object?: { id?: string } };
      const postId = create.object?.id?.split('/').pop();
      if (postId && !arrived[side].has(postId)) arrived[side].set(postId, at);
      if (postId && side === 'gateway' && create.id) activityIds.set(postId, create.id);
    });
  });
  await new Promise<void>((r) => inbox.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => {
    inbox.close(() => r());
    inbox.closeAllConnections();
  }));
  const inboxOrigin = `http://127.0.0.1:${(inbox.address() as AddressInfo).port}`;

  const setup = await gatewaySetup();
  await setup.start('all');
  await enableAccount(setup.url, 'bench', 'bench');
  await addFollowers(setup.prefix, 'bench', [`${inboxOrigin}/gw/inbox`]);
  const relay = forkChild(require.resolve('./peers/baseline-intake.ts'), { BASELINE_STREAM: `${setup.prefix}:baseline-events`, REDIS_URL, BASELINE_RELAY_INBOX: `${inboxOrigin}/base/inbox` });
  const { port } = await nextMessage<{ port: number }>(relay);
  const origins: Record<SideName, string> = { gateway: setup.url, baseline: `http://127.0.0.1:${port}` };

  const accepted: Record<SideName, Map<string, number>> = { gateway: new Map(), baseline: new Map() };
  const send = async (side: SideName, postId: string) => {
    const r = eventsRequest(postCreated(`ev-${postId}`, postId, 'bench'));
    const res = await request(`${origins[side]}${r.path}`, { method: 'POST', headers: r.headers, body: r.body });
    const at = performance.now();
    await res.body.dump();
    if (res.statusCode !== 202) throw new Error(`${side} answered ${res.statusCode}`);
    accepted[side].set(postId, at);
  };
  // One post to each side every 1/RATE s, both at once, until all are delivered.
  const paced = async (label: string, count: number): Promise<string[]> => {
    const sends: Promise<void>[] = [];
    const ids = Array.from({ length: count }, (_, i) => `${label}-${i}`);
    const t0 = performance.now();
    for (const [i, postId] of ids.entries()) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      for (const side of ['gateway', 'baseline'] as const) sends.push(send(side, postId));
    }
    await Promise.all(sends);
    await until(() => ids.every((id) => arrived.gateway.has(id) && arrived.baseline.has(id)), 'every post delivered', 120000);
    return ids;
  };
  // Not counted: the first posts meet cold code paths and connections.
  await paced('warm', WARM);
  const ids = await paced('lat', POSTS);

  console.log(`latency: ${POSTS} posts at ${RATE}/s, one follower inbox; from the 202 to the Create's arrival (ms)`);
  const stats = (side: SideName) => {
    const ms = ids.map((id) => arrived[side].get(id)! - accepted[side].get(id)!).sort((a, b) => a - b);
    return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: ms[ms.length - 1]! };
  };
  const base = stats('baseline');
  const gw = stats('gateway');
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(`  baseline (accept, then sign and POST at once):  p50 ${f(base.p50)}   p99 ${f(base.p99)}   max ${f(base.max)}`);
  console.log(`  gateway (event → fan-out → delivery queues):     p50 ${f(gw.p50)}   p99 ${f(gw.p99)}   max ${f(gw.max)}`);
  console.log(`  ratio gateway/baseline:                          p50 ${(gw.p50 / base.p50).toFixed(1).padStart(7)}   p99 ${(gw.p99 / base.p99).toFixed(1).padStart(7)}`);
  await printStages(setup.prefix, ids, activityIds, `${inboxOrigin}/gw/inbox`);
}

/** Where the gateway's time goes: p50 of each hop, from its jobs' timestamps (ms; a job's
 *  timestamp is when it was queued, so the event's wait starts just before its 202). */
async function printStages(prefix: string, ids: string[], activityIds: Map<string, string>, inbox: string) {
  const queues = { events: openQueue(prefix, 'events'), fanout: openQueue(prefix, 'fanout'), delivery: openQueue(prefix, 'delivery') };
  const stages: Record<string, number[]> = { 'wait for an event worker': [], 'apply the event': [], 'wait for a fan-out worker': [], 'fan out': [], 'wait for a delivery worker': [], 'deliver (sign, POST, answer)': [] };
  for (const id of ids) {
    const activityId = activityIds.get(id)!;
    const [ev, fo, de] = await Promise.all([
      queues.events.getJob(eventJobId(`ev-${id}`)),
      queues.fanout.getJob(jobIdOf('fanout', activityId)),
      // One follower: the fan-out plans its inbox as batch 1.
      queues.delivery.getJob(jobIdOf('delivery-batch', activityId, '1')),
    ]);
    if (!ev?.processedOn || !ev.finishedOn || !fo?.processedOn || !fo.finishedOn || !de?.processedOn || !de.finishedOn) continue;
    stages['wait for an event worker']!.push(ev.processedOn - ev.timestamp);
    stages['apply the event']!.push(ev.finishedOn - ev.processedOn);
    stages['wait for a fan-out worker']!.push(fo.processedOn - fo.timestamp);
    stages['fan out']!.push(fo.finishedOn - fo.processedOn);
    stages['wait for a delivery worker']!.push(de.processedOn - de.timestamp);
    stages['deliver (sign, POST, answer)']!.push(de.finishedOn - de.processedOn);
  }
  console.log(`  gateway hops, p50 ms over ${stages['apply the event']!.length} posts (job timestamps):`);
  for (const [name, ms] of Object.entries(stages)) console.log(`    ${name.padEnd(30)} ${quantile(ms.sort((a, b) => a - b), 0.5).toFixed(0).padStart(6)}`);
}

runBench(main);

// Fan-out: signed deliveries per second from one post to N loopback inboxes through the real
// queues and workers (this process), beside raw RSA-2048 crypto.sign per second on one core,
// measured in the same run. Run: npm run bench:fanout  (FOLLOWERS=2000 by default).
// The first post's fan-out runs on a cold process (JIT not warmed up) and is reported apart;
// then ROUNDS more posts (5 by default) each fan out beside raw signing sampled on the same core
// while it runs (bench/support/raw-sign.ts; a 1 s block just before is shown too), and the median
// ratio is the figure: a worker is a long-running process.
// INBOXES=N puts the followers behind N shared inboxes (a server's followers share one), as a
// million followers on tens of thousands of servers would be: FOLLOWERS=1000000 INBOXES=20000
// measures the memory high-water mark of streaming a million followers.
// REDIS_CLUSTER=3 runs it on a throwaway three-node Redis Cluster on loopback instead of the local Redis.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { enableAccount } from './support/platform';
import { onCleanup, runBench } from './support/processes';
import { newRsaKey, rawSignsPerSecond, sampleRawSigning, timeProcessSigns } from './support/raw-sign';
import { startRedisCluster } from '../test/support/redis-cluster';
import { startTestGateway } from '../test/support/test-gateway';
import { sendEvents } from '../test/support/platform-events';

const FOLLOWERS = Number(process.env.FOLLOWERS ?? 2000);
/** distinct inboxes: every follower its own unless fewer are asked for (shared inboxes) */
const INBOXES = Math.min(FOLLOWERS, Number(process.env.INBOXES ?? FOLLOWERS));
const SERVERS = 20;
// Production's delivery settings unless the run names them. In flight per process: up to
// DELIVERY_CONCURRENCY × DELIVERY_BATCH_SIZE deliveries admitted (50 × 20), of which at most
// SERVERS × DELIVERY_DOMAIN_CONCURRENCY (20 × 16) send at once here; the rest wait for a slot.
const deliverySettings = Object.fromEntries(['DELIVERY_CONCURRENCY', 'DELIVERY_BATCH_SIZE', 'DELIVERY_DOMAIN_CONCURRENCY'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
/** warm posts after the cold one; ROUNDS=0 for the cold one only (the memory runs) */
const ROUNDS = Math.max(0, Number(process.env.ROUNDS ?? 5));
/** ticks (1/100 s) the hypervisor gave this machine's CPUs to someone else, from /proc/stat */
const stealTicks = () => { try { return Number(readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)[8] ?? 0); } catch { return 0; } };
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main() {
  // The inboxes run in a child process, so their HTTP parsing does not share the workers' core.
  const inboxes = fork(__filename, ['inboxes'], { execArgv: ['-r', '@swc-node/register'] });
  onCleanup(() => inboxes.kill());
  const origins = await new Promise<string[]>((ok) => inboxes.once('message', (m) => ok(m as string[])));

  const nodes = Number(process.env.REDIS_CLUSTER ?? 0);
  const cluster = nodes ? await startRedisCluster(nodes) : undefined;
  if (cluster) onCleanup(() => cluster.stop());
  const gw = await startTestGateway({ workers: true, slotTripwire: false, env: { ...deliverySettings, ...(cluster ? { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesEnv } : {}) } });
  onCleanup(() => gw.close()); // deletes its keys on the one Redis
  const send = (body: unknown) => sendEvents(gw.url, body);
  await enableAccount(gw.url, 'bench', 'bench');
  // Personal inboxes, or INBOXES shared ones: every distinct inbox costs one signed POST.
  for (let from = 0; from < FOLLOWERS; from += 10_000) {
    const pipeline = gw.g.queueRedis.pipeline();
    for (let i = from; i < Math.min(FOLLOWERS, from + 10_000); i++) {
      const origin = origins[i % SERVERS]!;
      const shared = INBOXES < FOLLOWERS ? { sharedInbox: `${origin}/s${i % INBOXES}/inbox` } : {};
      pipeline.hset(gw.g.keys.followers('bench'), `${origin}/users/u${i}`, JSON.stringify({ actor: `${origin}/users/u${i}`, inbox: `${origin}/users/u${i}/inbox`, ...shared, followId: `${origin}/f/${i}`, since: new Date().toISOString() }));
    }
    await pipeline.exec();
  }
  const redisUsed = async () => Number(/used_memory:(\d+)/.exec(await gw.g.queueRedis.info('memory'))![1]);
  const redisSeeded = await redisUsed();
  let redisPeak = redisSeeded;
  const redisSampler = setInterval(() => void redisUsed().then((m) => (redisPeak = Math.max(redisPeak, m)), () => undefined), 500);

  // What is left of seeding is garbage, not the fan-out's: collect it first (npm run passes --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  /** One post's fan-out, beside raw signing sampled during it and measured just before it. */
  const baselineKey = newRsaKey();
  const gatewaySigns = timeProcessSigns(baselineKey);
  const round = async (n: number) => {
    const before = rawSignsPerSecond(baselineKey);
    const allIn = new Promise<void>((ok) => inboxes.once('message', (m) => m === 'done' && ok()));
    inboxes.send({ expected: INBOXES, marker: `/bench-post-${n}/` });
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const steal0 = stealTicks();
    const signs0 = gatewaySigns();
    const stopSampling = sampleRawSigning(baselineKey);
    await send({ id: `bench-post-${n}`, type: 'post.created', occurredAt: new Date().toISOString(), data: { post: { id: `bench-post-${n}`, accountId: 'bench', createdAt: new Date().toISOString(), text: 'benchmark post #bench', visibility: 'public' } } });
    await allIn;
    const raw = stopSampling();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const seconds = wall - raw.seconds;
    const signs = gatewaySigns();
    const signing = { share: (signs.seconds - signs0.seconds) / seconds, meanUs: ((signs.seconds - signs0.seconds) / (signs.calls - signs0.calls)) * 1e6 };
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const steal = (stealTicks() - steal0) / 100 / wall / cpus().length;
    // The post's last jobs finish their bookkeeping before the next round's baseline starts.
    while (Object.values(await gw.g.queues.delivery.getJobCounts('active', 'waiting', 'delayed', 'prioritized')).some((c) => c > 0)) await new Promise((r) => setTimeout(r, 20));
    return { rawRate: raw.rate, before, seconds, rate: INBOXES / seconds, ratio: INBOXES / seconds / raw.rate, ratioBefore: INBOXES / seconds / before, cpuUsPerDelivery: (cpu.user + cpu.system - raw.cpuMicros) / INBOXES, slicesShare: raw.seconds / wall, elu, steal, signing };
  };
  const cold = await round(0);
  const rssColdPeak = rssPeak;
  const warm = [];
  for (let n = 1; n <= ROUNDS; n++) warm.push(await round(n));
  clearInterval(sampler);
  clearInterval(redisSampler);
  const median = [...warm].sort((a, b) => a.ratio - b.ratio)[Math.floor(warm.length / 2)];

  const behind = INBOXES < FOLLOWERS ? ` behind ${INBOXES} shared inboxes` : ', each its own inbox';
  const line = (label: string, r: typeof cold) =>
    console.log(`  ${label.padEnd(12)} raw crypto.sign ${Math.round(r.rawRate)}/s during (${Math.round(r.before)}/s in the second before), delivered ${Math.round(r.rate)}/s (${r.seconds.toFixed(2)} s from event to last inbox), ratio ${r.ratio.toFixed(2)} (${r.ratioBefore.toFixed(2)} against the second before); process CPU ${Math.round(r.cpuUsPerDelivery)} µs per delivery (the raw slices' excluded) against ${Math.round(1e6 / r.rawRate)} µs per raw sign; its own crypto.sign ${Math.round(r.signing.meanUs)} µs each, ${(r.signing.share * 100).toFixed(0)} % of the time; raw slices ${(r.slicesShare * 100).toFixed(1)} % of the wall time; event loop busy ${(r.elu * 100).toFixed(0)} %, host steal ${(r.steal * 100).toFixed(1)} %`);
  console.log(`fan-out: ${FOLLOWERS} followers${behind}, on ${SERVERS} loopback servers (child process); gateway HTTP + workers in one process, delivery concurrency ${gw.g.config.deliveryConcurrency} jobs of ${gw.g.config.deliveryBatchSize} inboxes, ${gw.g.config.deliveryDomainConcurrency} per server at once; ${cluster ? `Redis Cluster of ${nodes} nodes` : 'one Redis'}`);
  console.log('  raw: RSA-2048 crypto.sign on this core with a cached KeyObject, in slices of 10 back to back every 100 ms during each fan-out (their time is not counted as the fan-out\'s), and for 1 s just before it');
  line('cold post', cold);
  warm.forEach((r, i) => line(`warm post ${i + 1}`, r));
  if (median) console.log(`  ratio to one core's raw signing (median of ${warm.length} warm posts): ${median.ratio.toFixed(2)} (cold first post: ${cold.ratio.toFixed(2)})`);
  else console.log(`  ratio to one core's raw signing (cold post only): ${cold.ratio.toFixed(2)}`);
  console.log(`  RSS of the gateway+worker process: ${mib(rssBefore)} before, ${mib(rssColdPeak)} peak over the first post, ${mib(rssPeak)} over all (high-water mark)`);
  console.log(`  Redis used_memory: ${mib(redisSeeded)} with the followers stored, ${mib(redisPeak)} peak during the fan-outs`);

  const deferred = (await gw.g.metrics.registry.getSingleMetric('fedigate_deliveries_deferred_total')?.get())?.values.map((v) => `${v.labels.reason}=${v.value}`).join(', ');
  const jobs = await gw.g.queues.delivery.getJobCounts('completed', 'failed');
  console.log(`  delivery jobs: ${jobs.completed} completed, ${jobs.failed} failed; deliveries stepping aside: ${deferred || 'none'}`);
}

/**
 * Child: SERVERS loopback inbox servers; reports their origins, then 'done' once each of the N
 * inboxes it is told to expect got the round's post (a body carrying its marker; a second POST to
 * one inbox, or a late one of the previous post, does not count).
 */
async function serveInboxes() {
  let expected = Infinity;
  let marker = '';
  let reached = new Set<string>();
  process.on('message', (m) => {
    ({ expected, marker } = m as { expected: number; marker: string });
    reached = new Set();
  });
  const servers = await Promise.all(Array.from({ length: SERVERS }, () => new Promise<ReturnType<typeof createServer>>((ok) => {
    const s = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        res.writeHead(202).end();
        const port = (s.address() as AddressInfo).port;
        const inbox = `${port}${req.url}`;
        if (!body.includes(marker) || reached.has(inbox)) return;
        reached.add(inbox);
        if (reached.size === expected) process.send!('done');
      });
    });
    s.listen(0, '127.0.0.1', () => ok(s));
  })));
  process.send!(servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`));
}

if (process.argv[2] === 'inboxes') void serveInboxes();
else runBench(main);

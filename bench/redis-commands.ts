// Redis commands per accepted request, on a private redis-server this bench starts (INFO
// commandstats counts every client's commands, so the shared Redis would mix in other work):
// an inbox POST (keys cached) and a platform event, alone and in a batch of 100. Unlike the
// rates, these counts do not move with machine load; commands run inside Lua scripts (BullMQ's
// job scripts) count too. Run: npm run bench:redis-commands  (N requests per figure)
import { Redis } from 'ioredis';
import { createRedisChild } from '../test/support/redis-server';
import { type PreparedRequest, expectAll, runLoad } from './support/load';
import { enableAccount, eventsRequest, postCreated, publishPost } from './support/platform';
import { gatewaySetup, onCleanup, runBench, until } from './support/processes';
import { openQueue, pending, startCountingPlatform } from './support/queues';
import { activity, inboxLoad, signedInboxPost, startRemoteActors } from './support/remote-actors';

const N = Number(process.env.N ?? 500);

async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of ((await redis.info('commandstats')) as string).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

async function privateRedis(): Promise<string> {
  const redis = await createRedisChild(['--save', '', '--appendonly', 'no']);
  onCleanup(() => redis.remove());
  await redis.start();
  return redis.url;
}

async function main() {
  const redisUrl = await privateRedis();
  const remote = await startRemoteActors(5);
  const platform = await startCountingPlatform();
  const setup = await gatewaySetup({ PLATFORM_CALLBACK_URL: platform.url }, redisUrl);
  await setup.start('gateway');
  const worker = await setup.start('worker');
  await enableAccount(setup.url, 'bench', 'bench');
  const postUri = await publishPost(setup.url, 'bench-post', 'bench');
  const inbox = openQueue(setup.prefix, 'inbox', redisUrl);
  const warm = remote.actors.map((a) => signedInboxPost(`${setup.url}/inbox`, a, activity(a, 'Like', postUri)));
  expectAll(await runLoad(setup.url, warm, 4), 202, 'warm-up');
  await until(async () => (await pending(inbox)) === 0, 'warm-up processed');
  // Only the gateway's HTTP process talks to Redis from here on.
  await worker.stop();
  await inbox.close();

  const redis = new Redis(redisUrl);
  onCleanup(() => redis.disconnect());
  const figures: Array<[string, PreparedRequest[], number]> = [
    ['inbox POST (Create or Like)', inboxLoad(remote, `${setup.url}/inbox`, postUri, N), N],
    ['platform event, one per request', Array.from({ length: N }, (_, i) => eventsRequest(postCreated(`one-${i}`, `one-${i}`, 'bench'))), N],
    ['platform event, in batches of 100', Array.from({ length: Math.ceil(N / 100) }, (_, b) => eventsRequest({ events: Array.from({ length: 100 }, (_, i) => postCreated(`b-${b}-${i}`, `b-${b}-${i}`, 'bench')) })), Math.ceil(N / 100) * 100],
  ];
  console.log(`Redis commands per accepted unit (private redis-server, gateway HTTP process alone, ${N} per figure)`);
  for (const [name, requests, units] of figures) {
    const before = await commandCalls(redis);
    expectAll(await runLoad(setup.url, requests, 8), 202, name);
    const after = await commandCalls(redis);
    const per = Object.entries(after)
      .map(([cmd, calls]) => [cmd, (calls - (before[cmd] ?? 0) - (cmd === 'info' ? 1 : 0)) / units] as const)
      .filter(([, n]) => n >= 0.005)
      .sort((a, b) => b[1] - a[1]);
    const total = per.reduce((a, [, n]) => a + n, 0);
    console.log(`  ${name.padEnd(36)} ${total.toFixed(1).padStart(5)}   ${per.map(([c, n]) => `${c} ${+n.toFixed(2)}`).join(', ')}`);
  }
}

runBench(main);

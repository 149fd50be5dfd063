// Against Fedify: the same fan-out and the same inbound load served, in the same run, by the
// gateway and by a minimal Fedify 2.x server (bench/peers/fedify-server.mjs), each one process
// doing HTTP and its queue work (the gateway in `all` mode, delivery concurrency 100; Fedify
// with its in-process queue and 100 parallel workers). Rounds alternate between the two so
// load from other work on the machine hits both alike.
//  - fan-out: one post to FOLLOWERS personal inboxes on 20 loopback servers (a child process),
//    each a draft-cavage signed POST; from the trigger (post.created for the gateway, the
//    sendActivity call for Fedify) to the last inbox answering.
//  - inbound: INBOUND_REQUESTS signed Creates and Likes (ACTORS remote actors, keys cached by
//    a warm-up) to the shared inbox; answered 202, and until every one was processed (the
//    gateway: inbox jobs done, callbacks queued; Fedify: its listeners, which only count).
// The gateway's Redis queue is durable and Fedify's in-process one is not: Fedify's Redis queue
// (@fedify/redis) has no release for Fedify 2 on the registry.
// Run: npm run bench:fedify  (FOLLOWERS, INBOUND_REQUESTS, CONCURRENCY, ACTORS, ROUNDS)
import { type PreparedRequest, expectAll, fmtRate, runLoad } from './support/load';
import { startFedifyServer } from './support/fedify-server';
import { startFollowerInboxes } from './support/inboxes';
import { addFollowers, enableAccount, postCreated, publishPost } from './support/platform';
import { gatewaySetup, progress, runBench, until } from './support/processes';
import { openQueue, pending, startCountingPlatform } from './support/queues';
import { activity, inboxLoad, signedInboxPost, startRemoteActors } from './support/remote-actors';
import { sendEvents } from '../test/support/platform-events';

const FOLLOWERS = Number(process.env.FOLLOWERS ?? 1000);
const REQUESTS = Number(process.env.INBOUND_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const ACTORS = Number(process.env.ACTORS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface Side {
  name: 'gateway' | 'fedify';
  /** starts the fan-out of one fresh post */
  post(n: number): Promise<void>;
  inboxUrl: string;
  replyTo: string;
  origin: string;
  /** resolves once every inbound activity sent so far is processed */
  processed(expected: number): Promise<void>;
}

async function main() {
  const inboxes = await startFollowerInboxes();
  const followerInboxes = Array.from({ length: FOLLOWERS }, (_, i) => inboxes.inbox(i));
  const remote = await startRemoteActors(ACTORS);
  const platform = await startCountingPlatform();

  const setup = await gatewaySetup({ PLATFORM_CALLBACK_URL: platform.url, DELIVERY_CONCURRENCY: '100' });
  await setup.start('all');
  await enableAccount(setup.url, 'bench', 'bench');
  const postUri = await publishPost(setup.url, 'bench-post', 'bench');
  await addFollowers(setup.prefix, 'bench', followerInboxes);
  const gwInbox = openQueue(setup.prefix, 'inbox');

  progress('gateway ready, followers stored');
  const fedify = await startFedifyServer();
  await fedify.setFollowers(followerInboxes);

  let fedifyBase = 0;
  const sides: Side[] = [
    {
      name: 'gateway',
      origin: setup.url,
      inboxUrl: `${setup.url}/inbox`,
      replyTo: postUri,
      async post(n) {
        const res = await sendEvents(setup.url, postCreated(`fan-${n}`, `fan-${n}`, 'bench'));
        if (res.status !== 202) throw new Error(`post.created answered ${res.status}`);
      },
      processed: () => until(async () => (await pending(gwInbox)) === 0, 'gateway inbox drained', 600000),
    },
    {
      name: 'fedify',
      origin: fedify.origin,
      inboxUrl: `${fedify.origin}/inbox`,
      replyTo: `${fedify.origin}/posts/bench-post`,
      post: (n) => fedify.post(`fan-${n}`),
      processed: (expected) => until(async () => (await fedify.received()) >= fedifyBase + expected, 'fedify listeners', 600000),
    },
  ];

  // Warm-up: key caches (one Like per actor), connections and JIT, one small fan-out each.
  for (const side of sides) {
    progress(`${side.name}: warm-up`);
    const warm = remote.actors.map((a) => signedInboxPost(side.inboxUrl, a, activity(a, 'Like', side.replyTo)));
    expectAll(await runLoad(side.origin, warm, 4), 202, `${side.name} warm-up`);
    await side.processed(warm.length);
    fedifyBase = await fedify.received();
    const { done } = await inboxes.expect(FOLLOWERS);
    await side.post(0);
    await done;
  }

  const fan = { gateway: 0, fedify: 0 };
  const accepted = { gateway: 0, fedify: 0 };
  const processed = { gateway: 0, fedify: 0 };
  const actorFetches = { gateway: 0, fedify: 0 };
  let n = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of sides) {
      progress(`${side.name}: round ${r + 1} fan-out`);
      const { done } = await inboxes.expect(FOLLOWERS);
      const t0 = process.hrtime.bigint();
      await side.post(++n);
      await done;
      fan[side.name] += seconds(t0);

      progress(`${side.name}: round ${r + 1} inbound`);
      const load: PreparedRequest[] = inboxLoad(remote, side.inboxUrl, side.replyTo, REQUESTS);
      fedifyBase = await fedify.received();
      const fetchesBefore = remote.fetches();
      const t1 = process.hrtime.bigint();
      const result = await runLoad(side.origin, load, CONCURRENCY);
      expectAll(result, 202, `${side.name} inbound`);
      accepted[side.name] += result.seconds;
      await side.processed(REQUESTS);
      processed[side.name] += seconds(t1);
      actorFetches[side.name] += remote.fetches() - fetchesBefore;
    }
  }

  const rate = (s: number, per: number) => (ROUNDS * per) / s;
  const line = (what: string, unit: string, per: number, t: Record<'gateway' | 'fedify', number>) => {
    const gw = rate(t.gateway, per);
    const fe = rate(t.fedify, per);
    console.log(`  ${what.padEnd(34)} Fedify ${fmtRate(fe, unit)}   gateway ${fmtRate(gw, unit)}   ratio gateway/Fedify ${(gw / fe).toFixed(2)}`);
  };
  console.log(`against Fedify 2.3.6 (in-process queue, 100 workers; not durable): ${ROUNDS} alternating rounds, one process per server`);
  line(`fan-out to ${FOLLOWERS} inboxes (signed)`, 'deliveries/s', FOLLOWERS, fan);
  line(`inbound, answered 202`, 'activities/s', REQUESTS, accepted);
  line(`inbound, until all processed`, 'activities/s', REQUESTS, processed);
  console.log(`  (inbound: ${REQUESTS} per round, ${CONCURRENCY} connections, ${ACTORS} actors; the gateway's processing stores and calls the platform back, Fedify's listeners only count; actor documents fetched while measured: gateway ${actorFetches.gateway}, Fedify ${actorFetches.fedify})`);
}

runBench(main);

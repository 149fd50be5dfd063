// Inbound: verified inbox activities per second through the full HTTP inbox path (parse,
// domain-block check, draft-cavage signature with the key from the warm cache, key owner,
// replay check, durable enqueue: 202), beside raw crypto.verify + JSON.parse per second on one
// core in the same run. Signed Creates (replies to a local post) and Likes of it, from a pool of
// remote actors whose keys the gateway fetched before the clock started.
// The gateway's HTTP process runs alone (child process, no workers) while it is loaded; then a
// worker process is started and drains what was queued: the processed-by-workers rate (inbox
// jobs from the first start to the last end, and until the last platform callback arrived).
// Run: npm run bench:inbound  (INBOUND_REQUESTS, CONCURRENCY, ACTORS)
import { fmtRate, expectAll, runLoad } from './support/load';
import { enableAccount, publishPost } from './support/platform';
import { gatewaySetup, processCpuSeconds, runBench, until } from './support/processes';
import { completedSpan, counterByLabel, openQueue, pending, startCountingPlatform } from './support/queues';
import { activity, inboxLoad, signedInboxPost, startRemoteActors } from './support/remote-actors';
import { rawVerifyAndParsePerSecond } from './support/raw-verify';

const REQUESTS = Number(process.env.INBOUND_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const ACTORS = Number(process.env.ACTORS ?? 20);

async function main() {
  const remote = await startRemoteActors(ACTORS);
  const platform = await startCountingPlatform();
  const setup = await gatewaySetup({ PLATFORM_CALLBACK_URL: platform.url });
  const gateway = await setup.start('gateway');
  let worker = await setup.start('worker');
  await enableAccount(setup.url, 'bench', 'bench');
  const postUri = await publishPost(setup.url, 'bench-post', 'bench');
  const inbox = openQueue(setup.prefix, 'inbox');

  // Warm the key cache: one signed Like per actor (fetches its actor document once), processed.
  const inboxUrl = `${setup.url}/inbox`;
  const warm = remote.actors.map((a) => signedInboxPost(inboxUrl, a, activity(a, 'Like', postUri)));
  expectAll(await runLoad(setup.url, warm, 4), 202, 'warm-up');
  await until(async () => (await pending(inbox)) === 0, 'warm-up processed');
  await until(() => platform.count() >= ACTORS, 'warm-up callbacks');
  await worker.stop();
  await inbox.clean(0, 0, 'completed');
  const callbacksBefore = platform.count();

  const load = inboxLoad(remote, inboxUrl, postUri, REQUESTS);
  const sample = load[0]!.body;
  const rawBefore = rawVerifyAndParsePerSecond(remote.actors[0]!, sample);
  const fetchesBefore = remote.fetches();
  const cpuBefore = processCpuSeconds(gateway.proc.proc.pid!);
  const result = await runLoad(setup.url, load, CONCURRENCY);
  const cpuPerPost = ((processCpuSeconds(gateway.proc.proc.pid!) - cpuBefore) / REQUESTS) * 1e6;
  const rawAfter = rawVerifyAndParsePerSecond(remote.actors[0]!, sample);
  expectAll(result, 202, 'inbox');
  const raw = (rawBefore + rawAfter) / 2;
  const accepted = REQUESTS / result.seconds;

  worker = await setup.start('worker');
  await until(async () => (await pending(inbox)) === 0, 'inbox queue drained', 600000);
  const span = await completedSpan(inbox);
  const outcomes = counterByLabel(await (await fetch(`${worker.opsUrl}/metrics`)).text(), 'fedigate_inbox_activities_total', 'outcome');
  const applied = outcomes.applied ?? 0;
  await until(() => platform.count() - callbacksBefore >= applied, 'callbacks delivered', 600000);
  const processed = span.jobs / ((span.lastEnd - span.firstStart) / 1000);
  const withCallbacks = span.jobs / ((platform.lastAt() - span.firstStart) / 1000);

  console.log(`inbound: ${REQUESTS} signed POSTs to the shared inbox (Create replies and Likes alternating, draft-cavage, ${ACTORS} actors, keys cached: ${remote.fetches() - fetchesBefore} actor fetches while measured), ${CONCURRENCY} connections; gateway HTTP process alone`);
  console.log(`  raw crypto.verify + JSON.parse (1 core, same body):  ${fmtRate(raw, 'ops/s')}  (${Math.round(rawBefore)} before, ${Math.round(rawAfter)} after)`);
  console.log(`  inbox POSTs answered 202 (durably queued):          ${fmtRate(accepted, 'activities/s')}   ratio ${(accepted / raw).toFixed(3)}`);
  console.log(`  gateway process CPU per POST:                       ${Math.round(cpuPerPost).toString().padStart(8)} µs   (raw verify + parse: ${Math.round(1e6 / raw)} µs)`);
  console.log(`  processed by a worker process afterwards:           ${fmtRate(processed, 'activities/s')}   (${span.jobs} jobs, ${span.failed} failed; outcomes ${JSON.stringify(outcomes)})`);
  console.log(`  ... until the last platform callback arrived:       ${fmtRate(withCallbacks, 'activities/s')}   (${platform.count() - callbacksBefore} callbacks)`);
}

runBench(main);

// Intake: signed platform events per second answered 202 (every event durably queued) at
// POST /platform/events, one event per request and batches of 100, beside a baseline measured in
// the same run against the same load: bench/peers/baseline-intake.ts, which does only what any
// durable intake of the contract must (HMAC check, JSON.parse, one Redis XADD per event, 202).
// The ratio is what the gateway's express stack, schema validation, idempotency checks and
// BullMQ's job scripts cost over that floor. Both servers run in their own child process (HTTP
// only, no workers draining); the load generator is this process, closed-loop over undici.
// Run: npm run bench:intake  (INTAKE_EVENTS per figure and round, CONCURRENCY, ROUNDS)
import { randomBytes } from 'node:crypto';
import { type PreparedRequest, expectAll, fmtRate, runLoad } from './support/load';
import { eventsRequest, postCreated } from './support/platform';
import { REDIS_URL, forkChild, gatewaySetup, nextMessage, runBench } from './support/processes';

const EVENTS = Number(process.env.INTAKE_EVENTS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const BATCHES = [1, 100];

const run = randomBytes(3).toString('hex');
let seq = 0;

/** `events` fresh events (ids never seen, so none is a duplicate) in requests of `batch`. */
function requests(events: number, batch: number): PreparedRequest[] {
  const out: PreparedRequest[] = [];
  for (let i = 0; i < events; i += batch) {
    const group = Array.from({ length: Math.min(batch, events - i) }, () => {
      const n = ++seq;
      return postCreated(`ev-${run}-${n}`, `p-${run}-${n}`, 'bench');
    });
    out.push(eventsRequest(batch === 1 ? group[0] : { events: group }));
  }
  return out;
}

async function main() {
  const setup = await gatewaySetup();
  await setup.start('gateway');
  const baseline = forkChild(require.resolve('./peers/baseline-intake.ts'), { BASELINE_STREAM: `${setup.prefix}:baseline-events`, REDIS_URL });
  const { port } = await nextMessage<{ port: number }>(baseline);
  const targets = { gateway: setup.url, baseline: `http://127.0.0.1:${port}` };

  console.log(`intake: post.created events, ${CONCURRENCY} connections, ${ROUNDS} alternating rounds of ${EVENTS} events per figure; servers in child processes, no workers`);
  for (const batch of BATCHES) {
    for (const [name, origin] of Object.entries(targets)) expectAll(await runLoad(origin, requests(Math.min(EVENTS, 50 * batch), batch), CONCURRENCY), 202, `${name} warm-up`);
    const total = { gateway: { n: 0, s: 0 }, baseline: { n: 0, s: 0 } };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, origin] of Object.entries(targets) as Array<[keyof typeof targets, string]>) {
        const result = await runLoad(origin, requests(EVENTS, batch), CONCURRENCY);
        expectAll(result, 202, name);
        total[name].n += EVENTS;
        total[name].s += result.seconds;
      }
    }
    const gw = total.gateway.n / total.gateway.s;
    const base = total.baseline.n / total.baseline.s;
    console.log(`  batch of ${String(batch).padEnd(3)}  baseline (HMAC + JSON.parse + XADD): ${fmtRate(base, 'events/s')}   gateway: ${fmtRate(gw, 'events/s')}   ratio ${(gw / base).toFixed(2)}`);
  }
}

runBench(main);

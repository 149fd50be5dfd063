// The ceiling of fan-out in this design: what one core does when a delivery is nothing but the
// gateway's own signing (signCavageRequest) and POST (postForStatus) to loopback inboxes, 100 in
// flight, with no queue, no Redis, no checks and no receipts. Beside raw RSA-2048 crypto.sign
// sampled during each round (and a 1 s block just before it). bench:fanout against this ceiling
// is what the rest costs.
// Run: npm run bench:fanout-ceiling  (DELIVERIES=10000, ROUNDS=5 by default).
import { Agent } from 'undici';
import { postForStatus } from '../services/remote/post-for-status';
import { signCavageRequest } from '../services/signatures/cavage-sign';
import { startFollowerInboxes } from './support/inboxes';
import { runBench } from './support/processes';
import { newRsaKey, rawSignsPerSecond, sampleRawSigning } from './support/raw-sign';

const SERVERS = 20;
const DELIVERIES = Number(process.env.DELIVERIES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IN_FLIGHT = 100;

async function main() {
  const inboxes = await startFollowerInboxes(SERVERS);
  const agent = new Agent({ connections: 16 });
  const key = { keyId: 'https://gateway.example/users/bench#main-key', privateKey: newRsaKey() };
  const body = Buffer.from(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', type: 'Create', actor: 'https://gateway.example/users/bench', object: { type: 'Note', content: 'x'.repeat(600) } }));
  console.log(`fan-out ceiling: ${DELIVERIES} signed POSTs to ${SERVERS} loopback servers (child process), ${IN_FLIGHT} in flight; no queue, no Redis`);
  for (let r = 0; r < ROUNDS; r++) {
    const before = rawSignsPerSecond(key.privateKey);
    let next = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const stopSampling = sampleRawSigning(key.privateKey);
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < DELIVERIES) {
        const n = next++;
        const url = new URL(inboxes.inbox(n));
        const headers = signCavageRequest({ method: 'POST', url, headers: { 'content-type': 'application/activity+json', 'user-agent': 'bench' }, body }, key);
        await postForStatus(agent, url, headers, body);
      }
    }));
    const raw = stopSampling();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9 - raw.seconds;
    const cpu = process.cpuUsage(cpu0);
    const rate = DELIVERIES / seconds;
    console.log(`  round ${r + 1}${r === 0 ? ' (cold)' : ''}: raw crypto.sign ${Math.round(raw.rate)}/s during (${Math.round(before)}/s in the second before), signed POSTs ${Math.round(rate)}/s, ratio ${(rate / raw.rate).toFixed(2)} (${(rate / before).toFixed(2)} against the second before); process CPU ${Math.round((cpu.user + cpu.system - raw.cpuMicros) / DELIVERIES)} µs per POST (system ${Math.round(cpu.system / DELIVERIES)}); a slice's first sign ${Math.round(raw.firstSignUs)} µs, its timed ones ${Math.round(raw.timedSignUs)} µs`);
  }
  await agent.close();
}

runBench(main);
